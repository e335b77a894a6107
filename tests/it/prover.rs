//! The real prover: every batch is re-executed from its witness alone and attested by the
//! prover key, which L1 checks. In process (`--prover reexec`) and through the prover API with
//! `zkos-dev prover` worker processes (`--prover external`); tampered witnesses and proofs by
//! other keys never reach L1.

use std::{
    collections::HashMap,
    process::{Child, Command, Stdio},
    time::Duration,
};

use alloy::{
    network::TransactionBuilder,
    primitives::{Address, B256, Bytes, TxKind, U256, keccak256},
    providers::{Provider, ProviderBuilder},
    rpc::types::TransactionRequest,
    sol_types::SolCall,
};
use base64::{Engine as _, engine::general_purpose::STANDARD};
use serde_json::{Value, json};
use zkos_dev::{
    config::{ProverMode, default_prover_key},
    events::{BatchStage, NodeEvent},
    prover::{
        Rejection,
        attest::{self, prover_signer},
        input::{ProverInput, decode},
        reexecute,
    },
    tree::TreeProof,
};

use crate::{
    bridge::{Request, ether, l2_receipt, request_l2_tx},
    settlement::wait_finalized,
    support::{PATIENCE, TestNode, call_tx, sign},
};

mod abi {
    alloy::sol! {
        function sendToL1(bytes message) external returns (bytes32);
        function withdraw(address l1Receiver) external payable;
        function isProver(address prover) external view returns (bool);
        function mockVerifier() external view returns (bool);
        function getTotalBatchesVerified() external view returns (uint256);
    }
}

const L1_MESSENGER: Address =
    alloy::primitives::address!("0x0000000000000000000000000000000000008008");
const L2_BASE_TOKEN: Address =
    alloy::primitives::address!("0x000000000000000000000000000000000000800a");
/// Init code of a contract whose runtime reads slot 1 and stores its calldata word in slot 0:
/// `PUSH1 1 SLOAD POP PUSH1 0 CALLDATALOAD PUSH1 0 SSTORE STOP`.
const STORE_INIT: &str = "600b600c600039600b6000f36001545060003560005500";

async fn l1_view(node: &TestNode, to: Address, data: Vec<u8>) -> Bytes {
    let l1 = ProviderBuilder::new().connect_http(node.node.l1_rpc_url().unwrap().parse().unwrap());
    l1.call(TransactionRequest::default().to(to).input(data.into()))
        .await
        .unwrap()
}

async fn verified_on_l1(node: &TestNode) -> u64 {
    let zk_chain = node.node.l1_contracts().unwrap().zk_chain;
    let out = l1_view(
        node,
        zk_chain,
        abi::getTotalBatchesVerifiedCall {}.abi_encode(),
    )
    .await;
    U256::from_be_slice(&out).to::<u64>()
}

/// A deposit, a contract deployment and call, a message to L1 and a withdrawal; returns the
/// last L2 block they are in.
async fn traffic(node: &TestNode) -> u64 {
    let receiver = Address::repeat_byte(0x42);
    let (hash, _) = request_l2_tx(
        node,
        1,
        Request {
            to: receiver,
            value: ether(2),
            calldata: Bytes::new(),
            gas_limit: 300_000,
            refund_recipient: node.account(1),
        },
    )
    .await;
    l2_receipt(node, hash).await;
    assert_eq!(node.balance(receiver).await, ether(2));

    let deployer = 3;
    let nonce = node.nonce(node.account(deployer)).await;
    let init = alloy::primitives::hex::decode(STORE_INIT).unwrap();
    let deploy = sign(
        node.signer(deployer),
        call_tx(nonce, TxKind::Create, init, 200_000),
    );
    let created = node.send_and_wait(&deploy).await.contract_address.unwrap();
    let call = sign(
        node.signer(deployer),
        call_tx(
            nonce + 1,
            TxKind::Call(created),
            B256::with_last_byte(7),
            100_000,
        ),
    );
    assert!(node.send_and_wait(&call).await.status());
    let stored = node
        .provider
        .get_storage_at(created, U256::ZERO)
        .await
        .unwrap();
    assert_eq!(stored, U256::from(7u64));

    let l2 = node.wallet_provider(4);
    let message = abi::sendToL1Call {
        message: Bytes::from_static(b"hello L1"),
    }
    .abi_encode();
    let sent = l2
        .send_transaction(
            TransactionRequest::default()
                .to(L1_MESSENGER)
                .with_input(message),
        )
        .await
        .unwrap()
        .get_receipt()
        .await
        .unwrap();
    assert!(sent.status());
    let withdraw = abi::withdrawCall {
        l1Receiver: receiver,
    }
    .abi_encode();
    let withdrawn = l2
        .send_transaction(
            TransactionRequest::default()
                .to(L2_BASE_TOKEN)
                .value(ether(1))
                .with_input(withdraw),
        )
        .await
        .unwrap()
        .get_receipt()
        .await
        .unwrap();
    assert!(withdrawn.status());
    withdrawn.block_number.unwrap()
}

/// The L1 verifier knows the default prover key and refuses fake proofs.
async fn assert_verifier_is_attested(node: &TestNode) {
    let verifier = node.node.l1_contracts().unwrap().verifier;
    let prover = prover_signer(&default_prover_key()).unwrap().address();
    let registered = l1_view(node, verifier, abi::isProverCall { prover }.abi_encode()).await;
    assert_eq!(
        U256::from_be_slice(&registered),
        U256::from(1u64),
        "prover key registered"
    );
    let mock = l1_view(node, verifier, abi::mockVerifierCall {}.abi_encode()).await;
    assert_eq!(
        U256::from_be_slice(&mock),
        U256::ZERO,
        "fake proofs refused"
    );
}

#[tokio::test]
async fn reexec_prover_takes_deposits_calls_and_withdrawals_to_finalized() {
    let node = TestNode::start_with(|c| c.settlement.prover.mode = ProverMode::Reexec).await;
    let mut events = node.node.events();
    assert_verifier_is_attested(&node).await;
    let last = traffic(&node).await;
    wait_finalized(&node, last).await;
    let mut proven = 0;
    while let Ok(event) = events.try_recv() {
        if let NodeEvent::Batch(batch) = event {
            match &batch.stage {
                BatchStage::Proven { prover } => {
                    assert_eq!(prover, "reexec");
                    proven += 1;
                }
                BatchStage::ProofRejected { reason } => {
                    panic!("batch {} rejected: {reason}", batch.number)
                }
                _ => {}
            }
        }
    }
    assert!(proven >= 1);
    assert!(verified_on_l1(&node).await >= proven);
}

/// A free port on 127.0.0.1 (bound, then released for the node to take).
pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A `zkos-dev prover` process, killed on drop.
pub(crate) struct Worker(Child);

impl Worker {
    pub(crate) fn start(url: &str, id: &str) -> Self {
        let child = Command::new(env!("CARGO_BIN_EXE_zkos-dev"))
            .args(["prover", "--url", url, "--poll", "50", "--id", id])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the worker starts");
        Self(child)
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Every way a witness can lie is caught by the re-executor.
fn assert_tampering_is_rejected(input: &ProverInput) {
    reexecute(input).expect("the honest witness verifies");

    let mut wrong_claim = input.clone();
    wrong_claim.claim.new_state_commitment = B256::repeat_byte(0x11);
    assert!(matches!(
        reexecute(&wrong_claim),
        Err(Rejection::StateCommitment { .. })
    ));
    let mut wrong_commitment = input.clone();
    wrong_commitment.claim.batch_commitment = B256::repeat_byte(0x12);
    assert!(matches!(
        reexecute(&wrong_commitment),
        Err(Rejection::BatchCommitment { .. })
    ));

    // A wrong slot value, whether or not the slot exists.
    let mut wrong_slot = input.clone();
    let slot = wrong_slot
        .slots
        .first_mut()
        .expect("the batch reads a slot");
    slot.value += U256::from(1u64);
    assert!(matches!(reexecute(&wrong_slot), Err(Rejection::Value(_))));

    // A wrong balance.
    let mut wrong_balance = input.clone();
    let account = wrong_balance
        .accounts
        .iter_mut()
        .find_map(|a| a.account.as_mut())
        .expect("the batch reads an existing account");
    account.balance += U256::from(1u64);
    assert!(matches!(
        reexecute(&wrong_balance),
        Err(Rejection::Value(_))
    ));

    // A forged Merkle sibling.
    let mut forged = input.clone();
    let proof = forged
        .accounts
        .iter_mut()
        .find_map(|a| match &mut a.proof {
            TreeProof::Existing(proof) => Some(proof),
            TreeProof::Absent { .. } => None,
        })
        .expect("an existing account");
    proof.siblings[3] = B256::repeat_byte(0x13);
    assert!(matches!(reexecute(&forged), Err(Rejection::Proof { .. })));

    // A key the execution needs, left out.
    let mut missing = input.clone();
    missing.slots.remove(0);
    assert!(reexecute(&missing).is_err());

    // Another previous state.
    let mut other_prev = input.clone();
    other_prev.prev.state_commitment = B256::repeat_byte(0x14);
    assert!(matches!(
        reexecute(&other_prev),
        Err(Rejection::PrevCommitment(_))
    ));
}

async fn post(client: &reqwest::Client, url: String, body: Value) -> reqwest::Response {
    client.post(url).json(&body).send().await.unwrap()
}

#[tokio::test]
async fn external_workers_prove_every_batch_once_and_a_dead_workers_job_is_reassigned() {
    let port = free_port();
    let node = TestNode::start_with(|c| {
        c.settlement.prover.mode = ProverMode::External;
        c.settlement.prover.port = port;
        c.settlement.prover.job_timeout = Duration::from_secs(2);
    })
    .await;
    let api = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let mut events = node.node.events();
    assert_verifier_is_attested(&node).await;

    // A contract call: its batch waits for a worker.
    let nonce = node.nonce(node.account(2)).await;
    let init = alloy::primitives::hex::decode(STORE_INIT).unwrap();
    let deploy = sign(
        node.signer(2),
        call_tx(nonce, TxKind::Create, init, 200_000),
    );
    let created = node.send_and_wait(&deploy).await.contract_address.unwrap();
    let call = sign(
        node.signer(2),
        call_tx(
            nonce + 1,
            TxKind::Call(created),
            B256::with_last_byte(9),
            100_000,
        ),
    );
    let called = node.send_and_wait(&call).await;

    // A worker picks every job there is and dies: nobody proves them for now.
    let deadline = tokio::time::Instant::now() + PATIENCE;
    let mut jobs: Vec<Value> = vec![];
    loop {
        let answer = client
            .post(format!("{api}/prover-jobs/FRI/pick"))
            .send()
            .await
            .unwrap();
        if answer.status() == 200 {
            jobs.push(answer.json().await.unwrap());
            continue;
        }
        assert_eq!(answer.status(), 204);
        let proven_call = node
            .rpc
            .ok(
                "eth_getTransactionReceipt",
                json!([called.transaction_hash]),
            )
            .await;
        let batch_of_call = proven_call["l1BatchNumber"]
            .as_str()
            .map(|_| crate::support::qty(&proven_call["l1BatchNumber"]));
        let picked_all =
            batch_of_call.is_some_and(|b| jobs.iter().any(|j| j["block_number"] == json!(b)));
        if picked_all {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the call's batch never became a job"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let status: Value = client
        .get(format!("{api}/prover-jobs/status"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for job in &jobs {
        let n = job["block_number"].as_u64().unwrap();
        assert!(
            status
                .as_array()
                .unwrap()
                .iter()
                .any(|j| j["batch_number"] == json!(n) && j["assigned_seconds_ago"].is_number())
        );
        let peek: Value = client
            .get(format!("{api}/prover-jobs/FRI/{n}/peek"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(peek["prover_input"], job["prover_input"]);
    }

    // The call's witness (it reads and writes a slot): honest, it verifies; tampered, not.
    let inputs: Vec<ProverInput> = jobs
        .iter()
        .map(|job| {
            decode(
                &STANDARD
                    .decode(job["prover_input"].as_str().unwrap())
                    .unwrap(),
            )
            .unwrap()
        })
        .collect();
    let input = inputs
        .iter()
        .find(|i| i.slots.iter().any(|s| s.address == created))
        .expect("the call's batch reads the contract's slots");
    assert_tampering_is_rejected(input);
    let n = input.batch_number;
    let verified = reexecute(input).unwrap();

    // Bad submissions get clear 4xx answers, and nothing reaches L1.
    let submit = format!("{api}/prover-jobs/FRI/submit?id=test");
    let stranger = prover_signer(&keccak256("not the prover")).unwrap();
    let by_stranger = attest::sign(&stranger, &verified).unwrap().as_bytes();
    let answer = post(
        &client,
        submit.clone(),
        json!({"block_number": n, "proof": STANDARD.encode(by_stranger)}),
    )
    .await;
    assert_eq!(answer.status(), 400, "a proof by an unknown key is refused");
    let answer = post(
        &client,
        submit.clone(),
        json!({"block_number": n, "proof": "not base64!"}),
    )
    .await;
    assert_eq!(answer.status(), 400);
    let answer = post(
        &client,
        submit.clone(),
        json!({"block_number": 999_999, "proof": ""}),
    )
    .await;
    assert_eq!(answer.status(), 404);
    let mut moved = verified;
    moved.new_state_commitment = B256::repeat_byte(0x15);
    let prover = prover_signer(&default_prover_key()).unwrap();
    let wrong = attest::sign(&prover, &moved).unwrap().as_bytes();
    let answer = post(
        &client,
        submit.clone(),
        json!({"block_number": n, "proof": STANDARD.encode(wrong)}),
    )
    .await;
    assert_eq!(
        answer.status(),
        400,
        "a signature over another transition is refused"
    );
    assert!(verified_on_l1(&node).await < n, "nothing reached L1");

    // Two workers: the dead worker's job goes to one of them after the timeout, and every
    // batch is proven exactly once.
    let _workers = [Worker::start(&api, "w1"), Worker::start(&api, "w2")];
    wait_finalized(&node, called.block_number.unwrap()).await;
    let mut proofs: HashMap<u64, Vec<String>> = HashMap::new();
    while let Ok(event) = events.try_recv() {
        if let NodeEvent::Batch(batch) = event {
            if let BatchStage::Proven { prover } = &batch.stage {
                proofs.entry(batch.number).or_default().push(prover.clone());
            }
            assert!(!matches!(batch.stage, BatchStage::ProofRejected { .. }));
        }
    }
    assert!(
        proofs.contains_key(&n),
        "the dead worker's job was reassigned and proven"
    );
    for (batch, provers) in &proofs {
        assert_eq!(
            provers.len(),
            1,
            "batch {batch} proven once, by {provers:?}"
        );
        assert!(provers[0].starts_with("w1") || provers[0].starts_with("w2"));
    }
    // Resubmitting for a proven batch: no such job any more.
    let good = attest::sign(&prover, &verified).unwrap().as_bytes();
    let answer = post(
        &client,
        submit,
        json!({"block_number": n, "proof": STANDARD.encode(good)}),
    )
    .await;
    assert_eq!(answer.status(), 404);
}

#[tokio::test]
async fn reexec_prover_proves_batches_after_dev_method_edits() {
    let node = TestNode::start_with(|c| c.settlement.prover.mode = ProverMode::Reexec).await;
    let mut events = node.node.events();
    let rich = Address::repeat_byte(0x51);
    node.rpc
        .ok("anvil_setBalance", json!([rich, "0x3635c9adc5dea00000"]))
        .await;
    node.rpc
        .ok(
            "anvil_setStorageAt",
            json!([rich, "0x1", B256::with_last_byte(5)]),
        )
        .await;
    node.rpc.ok("anvil_impersonateAccount", json!([rich])).await;
    let hash = node
        .rpc
        .ok(
            "eth_sendTransaction",
            json!([{"from": rich, "to": Address::repeat_byte(0x52), "value": "0x1000"}]),
        )
        .await;
    let receipt = l2_receipt(&node, serde_json::from_value(hash).unwrap()).await;
    // An edit between two blocks of one batch, then another tx.
    node.rpc
        .ok("anvil_setNonce", json!([node.account(5), "0x20"]))
        .await;
    let last = node.transfer_and_wait(5, Address::repeat_byte(0x53)).await;
    wait_finalized(
        &node,
        last.block_number
            .unwrap()
            .max(crate::support::qty(&receipt["blockNumber"])),
    )
    .await;
    while let Ok(event) = events.try_recv() {
        if let NodeEvent::Batch(batch) = event
            && let BatchStage::ProofRejected { reason } = &batch.stage
        {
            panic!("batch {} rejected: {reason}", batch.number);
        }
    }
}
