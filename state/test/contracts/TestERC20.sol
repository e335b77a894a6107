// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice Test-only ERC-20 for the bridge tests (compiled by lib/testkit.mjs, never deployed by
/// deploy.mjs). `feeBps` turns it into a fee-on-transfer token (the fee is burnt) and
/// `returnFalse` makes transfers return false instead of moving tokens.
contract TestERC20 {
    string public name;
    string public symbol;
    uint8 public decimals;
    uint256 public totalSupply;
    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;

    uint256 public feeBps;
    bool public returnFalse;

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);

    error ERC20InsufficientBalance(address sender, uint256 balance, uint256 needed);
    error ERC20InsufficientAllowance(address spender, uint256 allowance, uint256 needed);

    constructor(string memory _name, string memory _symbol, uint8 _decimals) {
        name = _name;
        symbol = _symbol;
        decimals = _decimals;
    }

    function mint(address _to, uint256 _amount) external {
        totalSupply += _amount;
        balanceOf[_to] += _amount;
        emit Transfer(address(0), _to, _amount);
    }

    function setFeeBps(uint256 _feeBps) external {
        feeBps = _feeBps;
    }

    function setReturnFalse(bool _returnFalse) external {
        returnFalse = _returnFalse;
    }

    function approve(address _spender, uint256 _amount) external returns (bool) {
        allowance[msg.sender][_spender] = _amount;
        emit Approval(msg.sender, _spender, _amount);
        return true;
    }

    function transfer(address _to, uint256 _amount) external returns (bool) {
        if (returnFalse) return false;
        _transfer(msg.sender, _to, _amount);
        return true;
    }

    function transferFrom(address _from, address _to, uint256 _amount) external returns (bool) {
        if (returnFalse) return false;
        uint256 allowed = allowance[_from][msg.sender];
        if (allowed < _amount) revert ERC20InsufficientAllowance(msg.sender, allowed, _amount);
        allowance[_from][msg.sender] = allowed - _amount;
        _transfer(_from, _to, _amount);
        return true;
    }

    function _transfer(address _from, address _to, uint256 _amount) internal {
        uint256 balance = balanceOf[_from];
        if (balance < _amount) revert ERC20InsufficientBalance(_from, balance, _amount);
        uint256 fee = (_amount * feeBps) / 10_000;
        balanceOf[_from] = balance - _amount;
        balanceOf[_to] += _amount - fee;
        totalSupply -= fee;
        emit Transfer(_from, _to, _amount - fee);
    }
}
