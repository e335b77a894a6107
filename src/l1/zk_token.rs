//! The ZK token of a devnet with the Gateway: an era-contracts `TestnetERC20Token` ("ZKsync",
//! "ZK", 18 decimals, anyone may `mint`) put on the embedded L1 at genesis through anvil's
//! CREATE2 deployer with salt 0 (so its address depends on nothing else), registered in the
//! L1 native token vault, each dev account holding some. Its asset id is every L2's
//! `InteropCenter.ZK_TOKEN_ASSET_ID`: bridged to an L2, it pays the fixed interop fee
//! (`useFixedFee`), as the ZK token does on ZKsync.
//!
//! `(the L1's genesis state) -> that state with the token, and its address`

use alloy_primitives::{Address, B256, Bytes, TxKind, U256, address, keccak256};
use alloy_sol_types::{SolCall as _, SolType as _, SolValue as _, sol, sol_data};
use anyhow::Context as _;
use serde::Deserialize;

use super::{L1Genesis, chains::Runner};
use crate::{accounts::DevAccount, storage::StateSnapshot, tx::L2_NATIVE_TOKEN_VAULT};

const TOKEN_JSON: &str = include_str!("../../state/artifacts/TestnetERC20Token.json");

/// anvil's CREATE2 deployer (in the L1 genesis): `salt ‖ init code` creates the code.
const CREATE2_DEPLOYER: Address = address!("0x4e59b44847b379578588920cA78FbF26c0B4956C");

sol! {
    function mint(address to, uint256 amount) returns (bool);
    /// `L1NativeTokenVault`.
    function registerToken(address token);
}

#[derive(Deserialize)]
struct Artifact {
    bytecode: Code,
}

#[derive(Deserialize)]
struct Code {
    object: Bytes,
}

/// The token's creation code with its constructor arguments.
fn init_code() -> anyhow::Result<Vec<u8>> {
    let artifact: Artifact =
        serde_json::from_str(TOKEN_JSON).context("the TestnetERC20Token artifact")?;
    let mut code = artifact.bytecode.object.to_vec();
    type Args = (sol_data::String, sol_data::String, sol_data::Uint<8>);
    code.extend(Args::abi_encode_params(&(
        "ZKsync".to_string(),
        "ZK".to_string(),
        18u8,
    )));
    Ok(code)
}

/// Where the ZK token is on the embedded L1.
pub fn address() -> anyhow::Result<Address> {
    Ok(CREATE2_DEPLOYER.create2_from_code(B256::ZERO, init_code()?))
}

/// The ZK token's asset id: an L1 token's, `keccak256(abi.encode(l1ChainId, 0x…10004, token))`.
pub fn asset_id(l1_chain_id: u64) -> anyhow::Result<B256> {
    Ok(keccak256(
        (U256::from(l1_chain_id), L2_NATIVE_TOKEN_VAULT, address()?).abi_encode_params(),
    ))
}

impl L1Genesis {
    /// Puts the ZK token into `state` (the L1's genesis), registered in the vault, with
    /// `amount` for each of `accounts`; its address.
    pub fn put_zk_token(
        &self,
        state: &mut StateSnapshot,
        accounts: &[DevAccount],
        amount: U256,
    ) -> anyhow::Result<Address> {
        let token = address()?;
        let mut runner = Runner {
            state,
            chain_id: self.l1_chain_id,
        };
        let mut create = B256::ZERO.to_vec();
        create.extend(init_code()?);
        let mut calls = vec![
            (CREATE2_DEPLOYER, Bytes::from(create)),
            (
                self.contracts.l1_native_token_vault,
                registerTokenCall { token }.abi_encode().into(),
            ),
        ];
        for account in accounts {
            let call = mintCall {
                to: account.address,
                amount,
            };
            calls.push((token, call.abi_encode().into()));
        }
        for (to, input) in calls {
            runner
                .run(self.governor, TxKind::Call(to), input)
                .map_err(|e| e.context("the ZK token on the L1"))?;
        }
        anyhow::ensure!(
            !runner.state.code(&token).is_empty(),
            "the ZK token is not at {token}"
        );
        Ok(token)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_zk_token_has_one_address_whatever_the_l1_holds() {
        let genesis = L1Genesis::embedded().unwrap();
        let accounts = crate::accounts::dev_accounts(&crate::Config::default().accounts).unwrap();
        let mut state = genesis.state(&accounts, U256::from(1));
        // Chains registered first move the governor's nonce, not the token.
        genesis
            .register_chains(&mut state, &[270, 271], &accounts)
            .unwrap();
        let token = genesis
            .put_zk_token(&mut state, &accounts, U256::from(5))
            .unwrap();
        assert_eq!(token, address().unwrap());
        assert_eq!(
            token,
            address!("0x3866Ee355D49FCA170b6CC18DbD8AC7aCC72B331"),
            "README and docs/settlement.md name it"
        );
        assert!(!state.code(&token).is_empty());
        let expected = keccak256(
            [
                U256::from(31337).to_be_bytes::<32>().as_slice(),
                B256::left_padding_from(L2_NATIVE_TOKEN_VAULT.as_slice()).as_slice(),
                B256::left_padding_from(token.as_slice()).as_slice(),
            ]
            .concat(),
        );
        assert_eq!(asset_id(31337).unwrap(), expected);
    }
}
