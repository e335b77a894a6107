//! The Solidity test contracts (compiled by the e2e suite into tests/contracts/out) and helpers
//! to deploy and call them with raw signed txs.

use alloy::{
    primitives::{Address, Bytes, TxKind},
    rpc::types::TransactionReceipt,
    sol_types::{SolCall, SolConstructor},
};

use crate::support::{TestNode, call_tx, sign};

alloy::sol!(
    #[sol(rpc)]
    #[derive(Debug)]
    Counter,
    "tests/contracts/out/Counter.json"
);

alloy::sol!(
    #[sol(rpc)]
    #[derive(Debug)]
    Token,
    "tests/contracts/out/Token.json"
);

/// Gas limit for test deployments and calls where estimation is not the point.
pub(crate) const CALL_GAS: u64 = 3_000_000;

impl TestNode {
    /// Deploys Counter from dev account `from`; returns its address (receipt must succeed).
    pub(crate) async fn deploy_counter(&self, from: usize) -> Address {
        self.deploy(from, Counter::BYTECODE.clone()).await
    }

    /// Deploys Token(supply) from dev account `from`.
    pub(crate) async fn deploy_token(
        &self,
        from: usize,
        supply: alloy::primitives::U256,
    ) -> Address {
        let mut code = Token::BYTECODE.to_vec();
        code.extend_from_slice(&Token::constructorCall { supply }.abi_encode());
        self.deploy(from, code.into()).await
    }

    /// Deploys `init_code` from dev account `from`; returns the contract's address.
    pub(crate) async fn deploy(&self, from: usize, init_code: Bytes) -> Address {
        let nonce = self.pending_nonce(self.account(from)).await;
        let tx = sign(
            self.signer(from),
            call_tx(nonce, TxKind::Create, init_code, CALL_GAS),
        );
        let receipt = self.send_and_wait(&tx).await;
        assert!(receipt.status(), "deployment succeeds: {receipt:?}");
        receipt
            .contract_address
            .expect("a create receipt has contractAddress")
    }

    /// Calls `to` with `input` from dev account `from` (gas 3M, no estimation); waits for the receipt.
    pub(crate) async fn call_and_wait(
        &self,
        from: usize,
        to: Address,
        input: impl SolCall,
    ) -> TransactionReceipt {
        let nonce = self.pending_nonce(self.account(from)).await;
        let tx = sign(
            self.signer(from),
            call_tx(nonce, TxKind::Call(to), input.abi_encode(), CALL_GAS),
        );
        self.send_and_wait(&tx).await
    }

    /// `eth_getTransactionCount(addr, "pending")`.
    pub(crate) async fn pending_nonce(&self, addr: Address) -> u64 {
        use alloy::providers::Provider as _;
        self.provider
            .get_transaction_count(addr)
            .pending()
            .await
            .expect("eth_getTransactionCount pending")
    }
}
