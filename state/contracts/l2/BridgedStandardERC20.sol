// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title BridgedStandardERC20
/// @notice The L2 token of an ERC-20 bridged from L1: created by the L2 native token vault
/// (`0x…10004`) with CREATE2 on its first deposit (salt keccak256(abi.encode(originChainId,
/// originToken)), no constructor arguments, so its address is known before it exists), then
/// initialised with the L1 token's name, symbol and decimals. Only the vault mints and burns.
contract BridgedStandardERC20 {
    string public name;
    string public symbol;
    uint8 public decimals;
    uint256 public totalSupply;
    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;

    address public immutable nativeTokenVault;
    bytes32 public assetId;
    address public originToken;

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);
    event BridgeInitialize(address indexed l1Token, string name, string symbol, uint8 decimals);
    event BridgeMint(address indexed account, uint256 amount);
    event BridgeBurn(address indexed account, uint256 amount);

    error Unauthorized(address caller);
    error AlreadyInitialized();
    error InsufficientBalance(uint256 balance, uint256 needed);
    error InsufficientAllowance(uint256 allowance, uint256 needed);

    modifier onlyVault() {
        if (msg.sender != nativeTokenVault) revert Unauthorized(msg.sender);
        _;
    }

    constructor() {
        nativeTokenVault = msg.sender;
    }

    function bridgeInitialize(
        bytes32 _assetId,
        address _originToken,
        string calldata _name,
        string calldata _symbol,
        uint8 _decimals
    ) external onlyVault {
        if (originToken != address(0)) revert AlreadyInitialized();
        assetId = _assetId;
        originToken = _originToken;
        name = _name;
        symbol = _symbol;
        decimals = _decimals;
        emit BridgeInitialize(_originToken, _name, _symbol, _decimals);
    }

    /// @notice The token on L1 (the legacy name of `originToken`).
    function l1Address() external view returns (address) {
        return originToken;
    }

    /// @notice The L2 asset router.
    function l2Bridge() external pure returns (address) {
        return address(0x10003);
    }

    function bridgeMint(address _to, uint256 _amount) external onlyVault {
        totalSupply += _amount;
        balanceOf[_to] += _amount;
        emit BridgeMint(_to, _amount);
        emit Transfer(address(0), _to, _amount);
    }

    function bridgeBurn(address _from, uint256 _amount) external onlyVault {
        uint256 balance = balanceOf[_from];
        if (balance < _amount) revert InsufficientBalance(balance, _amount);
        balanceOf[_from] = balance - _amount;
        totalSupply -= _amount;
        emit BridgeBurn(_from, _amount);
        emit Transfer(_from, address(0), _amount);
    }

    function transfer(address _to, uint256 _amount) external returns (bool) {
        _transfer(msg.sender, _to, _amount);
        return true;
    }

    function transferFrom(address _from, address _to, uint256 _amount) external returns (bool) {
        uint256 allowed = allowance[_from][msg.sender];
        if (allowed != type(uint256).max) {
            if (allowed < _amount) revert InsufficientAllowance(allowed, _amount);
            allowance[_from][msg.sender] = allowed - _amount;
        }
        _transfer(_from, _to, _amount);
        return true;
    }

    function approve(address _spender, uint256 _amount) external returns (bool) {
        allowance[msg.sender][_spender] = _amount;
        emit Approval(msg.sender, _spender, _amount);
        return true;
    }

    function _transfer(address _from, address _to, uint256 _amount) internal {
        uint256 balance = balanceOf[_from];
        if (balance < _amount) revert InsufficientBalance(balance, _amount);
        balanceOf[_from] = balance - _amount;
        balanceOf[_to] += _amount;
        emit Transfer(_from, _to, _amount);
    }
}
