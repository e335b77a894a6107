//! Dev accounts: the mnemonic's accounts (anvil's and Hardhat's addresses) plus the ZKsync
//! rich account. The keys are public; they exist to be used on a local devnet.

use alloy_primitives::{Address, B256};
use alloy_signer_local::{MnemonicBuilder, PrivateKeySigner};
use anyhow::Context as _;

use crate::config::{AccountsConfig, RICH_ADDRESS, RICH_KEY};

/// A funded, unlocked dev account.
#[derive(Debug, Clone)]
pub struct DevAccount {
    /// Its address.
    pub address: Address,
    /// Its private key (public knowledge: these are dev keys).
    pub private_key: B256,
}

impl DevAccount {
    /// A signer for this account.
    pub fn signer(&self) -> PrivateKeySigner {
        PrivateKeySigner::from_bytes(&self.private_key).expect("dev keys are valid")
    }
}

/// Derives the dev accounts: `count` from the mnemonic, then the rich account.
pub fn dev_accounts(config: &AccountsConfig) -> anyhow::Result<Vec<DevAccount>> {
    let mut accounts = Vec::with_capacity(config.count + 1);
    for index in 0..config.count {
        let path = format!("{}{index}", config.derivation_path);
        let signer = MnemonicBuilder::english()
            .phrase(config.mnemonic.as_str())
            .derivation_path(&path)
            .with_context(|| format!("bad derivation path {path}"))?
            .build()
            .context("cannot derive dev account from the mnemonic")?;
        accounts.push(DevAccount {
            address: signer.address(),
            private_key: B256::from_slice(&signer.credential().to_bytes()),
        });
    }
    if !accounts.iter().any(|a| a.address == RICH_ADDRESS) {
        accounts.push(DevAccount {
            address: RICH_ADDRESS,
            private_key: RICH_KEY,
        });
    }
    Ok(accounts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::{address, b256};

    use crate::Config;

    #[test]
    fn default_accounts_are_anvils_then_the_rich_account() {
        let accounts = dev_accounts(&Config::default().accounts).unwrap();
        assert_eq!(accounts.len(), 11);
        assert_eq!(
            accounts[0].address,
            address!("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266")
        );
        assert_eq!(
            accounts[0].private_key,
            b256!("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80")
        );
        assert_eq!(
            accounts[9].address,
            address!("0xa0Ee7A142d267C1f36714E4a8F75612F20a79720")
        );
        assert_eq!(accounts[10].address, RICH_ADDRESS);
        assert_eq!(accounts[10].signer().address(), RICH_ADDRESS);
    }
}
