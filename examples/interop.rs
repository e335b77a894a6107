//! Send ETH from one L2 to another through the Gateway, with alloy: an interop bundle.
//!
//! Run it against a running devnet with two L2s on the Gateway:
//!
//! ```sh
//! zkos-dev start --chains 270,271 --gateway   # in another terminal
//! cargo run --example interop                 # or: -- <URL of chain A> <URL of chain B>
//! ```
//!
//! Dev account #4 deploys an ERC-7786 receiver on B, sends it 0.1 ETH in a bundle from A
//! (`sendBundle` on A's InteropCenter `0x…1000b`), waits for the proof through the Gateway
//! (`zks_getL2ToL1LogProof(hash, 0, "messageRoot")`) and for B to import the Gateway's root
//! (`interopRoots(506, gatewayBlock)` on `0x…10008`), then runs the bundle on B
//! (`executeBundle` on B's InteropHandler `0x…1000c`) and checks the receiver's balance.

use std::time::Duration;

use alloy::{
    network::EthereumWallet,
    primitives::{Address, B256, Bytes, U256, address, keccak256, utils::format_ether},
    providers::{Provider, ProviderBuilder},
    rpc::types::{TransactionReceipt, TransactionRequest},
    signers::local::PrivateKeySigner,
    sol,
    sol_types::{SolCall, SolEvent, SolValue},
};
use serde::Deserialize;

sol!(
    #[sol(rpc)]
    InteropReceiver,
    "tests/contracts/out/InteropReceiver.json"
);

sol! {
    struct InteropCallStarter { bytes to; bytes data; bytes[] callAttributes; }
    function sendBundle(bytes destinationChainId, InteropCallStarter[] callStarters, bytes[] bundleAttributes)
        external payable returns (bytes32);
    function interopCallValue(uint256 value);
    struct L2Message { uint16 txNumberInBatch; address sender; bytes data; }
    struct MessageInclusionProof {
        uint256 chainId; uint256 l1BatchNumber; uint256 l2MessageIndex; L2Message message; bytes32[] proof;
    }
    function executeBundle(bytes bundle, MessageInclusionProof proof);
    function interopRoots(uint256 chainId, uint256 blockOrBatchNumber) external view returns (bytes32);
    event L1MessageSent(address indexed sender, bytes32 indexed hash, bytes message);
}

/// Dev account #4 of the `test test ... junk` mnemonic (public: a devnet key).
const DEV_KEY_4: &str = "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a";
const INTEROP_CENTER: Address = address!("0x000000000000000000000000000000000001000b");
const INTEROP_HANDLER: Address = address!("0x000000000000000000000000000000000001000c");
const ROOT_STORAGE: Address = address!("0x0000000000000000000000000000000000010008");
const GATEWAY_CHAIN_ID: u64 = 506;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct GatewayProof {
    batch_number: u64,
    id: u64,
    proof: Vec<B256>,
    root: B256,
    gateway_block_number: u64,
}

/// ERC-7930: an address on no chain in particular, or a chain without an address.
fn on_any_chain(addr: Address) -> Bytes {
    [&[0x00, 0x01, 0x00, 0x00, 0x00, 0x14][..], addr.as_slice()]
        .concat()
        .into()
}

fn chain_only(chain_id: u64) -> Bytes {
    let reference: Vec<u8> = chain_id
        .to_be_bytes()
        .into_iter()
        .skip_while(|b| *b == 0)
        .collect();
    let mut out = vec![0x00, 0x01, 0x00, 0x00, reference.len() as u8];
    out.extend(reference);
    out.push(0x00);
    out.into()
}

/// Polls `f` every 100 ms for up to a minute.
async fn until<T, F: std::future::Future<Output = Option<T>>>(
    what: &str,
    mut f: impl FnMut() -> F,
) -> anyhow::Result<T> {
    for _ in 0..600 {
        if let Some(v) = f().await {
            return Ok(v);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    anyhow::bail!("timed out waiting for {what}")
}

async fn sent(
    provider: &impl Provider,
    tx: TransactionRequest,
) -> anyhow::Result<TransactionReceipt> {
    let receipt = provider.send_transaction(tx).await?.get_receipt().await?;
    anyhow::ensure!(receipt.status(), "reverted: {receipt:?}");
    Ok(receipt)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let url_a = args
        .next()
        .unwrap_or_else(|| "http://127.0.0.1:3050".into());
    let url_b = args
        .next()
        .unwrap_or_else(|| "http://127.0.0.1:3051".into());
    let signer: PrivateKeySigner = DEV_KEY_4.parse()?;
    let wallet = EthereumWallet::from(signer);
    let a = ProviderBuilder::new()
        .wallet(wallet.clone())
        .connect_http(url_a.parse()?);
    let b = ProviderBuilder::new()
        .wallet(wallet)
        .connect_http(url_b.parse()?);
    let (chain_a, chain_b) = (a.get_chain_id().await?, b.get_chain_id().await?);

    let receiver = InteropReceiver::deploy(&b).await?;
    println!("receiver on chain {chain_b}: {}", receiver.address());

    let value = U256::from(10u64).pow(U256::from(17u64));
    let call = sendBundleCall {
        destinationChainId: chain_only(chain_b),
        callStarters: vec![InteropCallStarter {
            to: on_any_chain(*receiver.address()),
            data: Bytes::new(),
            callAttributes: vec![interopCallValueCall { value }.abi_encode().into()],
        }],
        bundleAttributes: vec![],
    };
    let tx = TransactionRequest::default()
        .to(INTEROP_CENTER)
        .input(call.abi_encode().into())
        .value(value);
    let receipt = sent(&a, tx).await?;
    let message = receipt
        .inner
        .logs()
        .iter()
        .find_map(|log| L1MessageSent::decode_log(&log.inner).ok())
        .ok_or_else(|| anyhow::anyhow!("no message to L1 in the bundle's receipt"))?;
    let bundle = Bytes::copy_from_slice(&message.message[1..]);
    println!(
        "bundle sent on chain {chain_a} in {}",
        receipt.transaction_hash
    );

    let hash = receipt.transaction_hash;
    let proof: GatewayProof = until("the proof through the Gateway", || {
        let a = a.clone();
        async move {
            a.raw_request::<_, Option<GatewayProof>>(
                "zks_getL2ToL1LogProof".into(),
                (hash, 0, "messageRoot"),
            )
            .await
            .ok()
            .flatten()
        }
    })
    .await?;
    println!(
        "proven: batch {} of chain {chain_a}, Gateway block {}",
        proof.batch_number, proof.gateway_block_number
    );
    let lookup = interopRootsCall {
        chainId: U256::from(GATEWAY_CHAIN_ID),
        blockOrBatchNumber: U256::from(proof.gateway_block_number),
    };
    until("chain B to import the Gateway's root", || {
        let (b, input) = (b.clone(), lookup.abi_encode());
        async move {
            let out = b
                .call(
                    TransactionRequest::default()
                        .to(ROOT_STORAGE)
                        .input(input.into()),
                )
                .await
                .ok()?;
            (B256::abi_decode(&out).ok()? == proof.root).then_some(())
        }
    })
    .await?;

    let execute = executeBundleCall {
        bundle: bundle.clone(),
        proof: MessageInclusionProof {
            chainId: U256::from(chain_a),
            l1BatchNumber: U256::from(proof.batch_number),
            l2MessageIndex: U256::from(proof.id),
            message: L2Message {
                txNumberInBatch: receipt.transaction_index.unwrap_or_default() as u16,
                sender: INTEROP_CENTER,
                data: [&[0x01][..], &bundle[..]].concat().into(),
            },
            proof: proof.proof,
        },
    };
    let tx = TransactionRequest::default()
        .to(INTEROP_HANDLER)
        .input(execute.abi_encode().into());
    let executed = sent(&b, tx).await?;
    let balance = b.get_balance(*receiver.address()).await?;
    anyhow::ensure!(
        balance == value,
        "the receiver holds {balance}, not {value}"
    );
    println!(
        "executed on chain {chain_b} in {}: the receiver holds {} ETH (bundle {})",
        executed.transaction_hash,
        format_ether(balance),
        keccak256((U256::from(chain_a), bundle).abi_encode_params())
    );
    Ok(())
}
