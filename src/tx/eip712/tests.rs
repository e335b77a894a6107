//! The decoder against zksync-os-server's test vector and type hashes, round trips, and what
//! a wallet's EIP-712 signature and zksync-ethers' layout get.

use super::*;
use alloy_primitives::{address, b256, hex};
use alloy_signer::SignerSync;
use alloy_signer_local::PrivateKeySigner;

fn tx() -> TxEip712 {
    TxEip712 {
        chain_id: 270,
        nonce: 1,
        max_priority_fee_per_gas: 0,
        max_fee_per_gas: 11,
        gas_limit: 12,
        to: address!("0x0754b07d1ea3071c3ec9bd86b2aa6f1a59a51498"),
        value: U256::from(10),
        input: Bytes::from_static(&[1, 2, 3]),
        from: address!("0x09a6aa96b9a17d7f7ba3e3b19811c082aba9f1e3"),
        gas_per_pubdata: 4,
    }
}

#[test]
fn the_type_strings_hash_to_the_servers_constants() {
    for (text, hash) in [
        (
            DOMAIN_TYPE,
            b256!("0xc2f8787176b8ac6bf7215b4adcc1e069bf4ab82d9ab1df05a57a91d425935b6e"),
        ),
        (
            DOMAIN_NAME,
            b256!("0x19b453ce45aaaaf3a300f5a9ec95869b4f28ab10430b572ee218c3a6a5e07d6f"),
        ),
        (
            DOMAIN_VERSION,
            b256!("0xad7c5bef027816a800da1736444fb58a807ef4c9603b7848673f7e3a68eb14a5"),
        ),
        (
            TX_TYPE,
            b256!("0x848e1bfa1ac4e3576b728bda6721b215c70a7799a5b4866282a71bab954baac8"),
        ),
    ] {
        assert_eq!(keccak256(text), hash, "{text}");
    }
}

#[test]
fn decodes_the_servers_test_vector() {
    // The body of the server decoder's unit test (an Era-layout list with an empty
    // customSignature and a zero paymaster).
    let body = hex!(
        "f8b701800b0c940754b07d1ea3071c3ec9bd86b2aa6f1a59a514980a8301020380a0635f9ee3a1523de15fc8b72a0eea12f5247c6b6e2369ed158274587af6496599a030f7c66d1ed24fca92527e6974b85b07ec30fdd5c2d41eae46966224add965f982010e9409a6aa96b9a17d7f7ba3e3b19811c082aba9f1e304e1a0020202020202020202020202020202020202020202020202020202020202020283010203d694000000000000000000000000000000000000000080"
    );
    let mut buf = &body[..];
    let decoded = decode(&mut buf).unwrap();
    assert!(buf.is_empty());
    assert_eq!(decoded.tx.tx(), &tx());
    assert_eq!(decoded.factory_deps.len(), 1);
    assert_eq!(
        decoded.custom_signature,
        Some(Bytes::from_static(&[1, 2, 3]))
    );
    assert_eq!(decoded.paymaster, Some((Address::ZERO, Bytes::new())));
    let err = decoded.refuse_zksync_fields().unwrap_err();
    assert!(err.contains("factoryDeps"), "{err}");
}

fn signed(signer: &PrivateKeySigner, tx: TxEip712) -> Eip712Tx {
    let signature = signer.sign_hash_sync(&tx.signature_hash()).unwrap();
    Eip712Tx::new(tx, signature)
}

#[test]
fn a_tx_signed_over_the_servers_hash_round_trips_and_recovers_its_signer() {
    let signer = PrivateKeySigner::random();
    let tx = TxEip712 {
        from: signer.address(),
        ..tx()
    };
    let signed = signed(&signer, tx.clone());
    let mut raw = vec![];
    signed.encode(&mut raw);
    assert_eq!(raw.len(), signed.encoded_len());
    assert_eq!(signed.hash(), keccak256(&raw));
    let decoded = decode(&mut &raw[1..])
        .unwrap()
        .refuse_zksync_fields()
        .unwrap();
    assert_eq!(decoded, signed);
    assert_eq!(decoded.recover_sender(), Some(signer.address()));
    // Trailing empty customSignature and paymasterParams (zksync-ethers' `0x` and `[]`)
    // are read and dropped: same tx, same hash.
    let mut long = raw[1..].to_vec();
    let header = Header::decode(&mut &long[..]).unwrap();
    let payload = long.split_off(long.len() - header.payload_length);
    let mut body = vec![];
    Header {
        list: true,
        payload_length: payload.len() + 2,
    }
    .encode(&mut body);
    body.extend_from_slice(&payload);
    body.extend_from_slice(&[0x80, 0xc0]);
    let again = decode(&mut &body[..]).unwrap();
    assert_eq!(again.paymaster, None);
    assert_eq!(again.refuse_zksync_fields().unwrap(), signed);
}

alloy_sol_types::sol! {
    struct Transaction {
        uint256 txType;
        uint256 from;
        uint256 to;
        uint256 gasLimit;
        uint256 gasPerPubdataByteLimit;
        uint256 maxFeePerGas;
        uint256 maxPriorityFeePerGas;
        uint256 paymaster;
        uint256 nonce;
        uint256 value;
        bytes data;
        bytes32[] factoryDeps;
        bytes paymasterInput;
    }
}

#[test]
fn a_wallets_eip712_signature_recovers_another_address() {
    // What zksync-ethers and alloy sign: EIP-712's digest, every word padded to 32 bytes.
    let signer = PrivateKeySigner::random();
    let tx = TxEip712 {
        from: signer.address(),
        ..tx()
    };
    let word = |a: Address| U256::from_be_slice(a.as_slice());
    let standard = alloy_sol_types::SolStruct::eip712_signing_hash(
        &Transaction {
            txType: U256::from(EIP712_TX_TYPE),
            from: word(tx.from),
            to: word(tx.to),
            gasLimit: U256::from(tx.gas_limit),
            gasPerPubdataByteLimit: U256::from(tx.gas_per_pubdata),
            maxFeePerGas: U256::from(tx.max_fee_per_gas),
            maxPriorityFeePerGas: U256::from(tx.max_priority_fee_per_gas),
            paymaster: U256::ZERO,
            nonce: U256::from(tx.nonce),
            value: tx.value,
            data: tx.input.clone(),
            factoryDeps: vec![],
            paymasterInput: Bytes::new(),
        },
        &alloy_sol_types::eip712_domain! {
            name: "zkSync",
            version: "2",
            chain_id: 270,
        },
    );
    assert_eq!(
        <Transaction as alloy_sol_types::SolStruct>::eip712_root_type(),
        TX_TYPE
    );
    assert_ne!(standard, tx.signature_hash());
    let signature = signer.sign_hash_sync(&standard).unwrap();
    let recovered = Eip712Tx::new(tx, signature).recover_sender();
    assert!(recovered.is_some_and(|a| a != signer.address()));
}

#[test]
fn zksync_ethers_layout_with_the_signature_in_custom_signature_does_not_decode() {
    // zksync-ethers' Wallet puts the chain id, `0x`, `0x` where v, r, s go.
    let mut payload = vec![];
    for item in [&[1u8][..], &[], &[11], &[12]] {
        Bytes::copy_from_slice(item).encode(&mut payload);
    }
    tx().to.encode(&mut payload);
    U256::from(10).encode(&mut payload);
    Bytes::from_static(&[1, 2, 3]).encode(&mut payload);
    270u64.encode(&mut payload);
    Bytes::new().encode(&mut payload);
    Bytes::new().encode(&mut payload);
    270u64.encode(&mut payload);
    tx().from.encode(&mut payload);
    50_000u64.encode(&mut payload);
    Vec::<Bytes>::new().encode(&mut payload);
    Bytes::from(vec![7u8; 65]).encode(&mut payload);
    Vec::<Bytes>::new().encode(&mut payload);
    let mut body = vec![];
    Header {
        list: true,
        payload_length: payload.len(),
    }
    .encode(&mut body);
    body.extend_from_slice(&payload);
    assert!(decode(&mut &body[..]).is_err());
}

#[test]
fn non_empty_zksync_fields_are_refused_by_name() {
    let signer = PrivateKeySigner::random();
    let tx = signed(&signer, tx());
    let with = |factory_deps: Vec<Bytes>, custom: Option<Bytes>, paymaster| {
        Decoded {
            tx: tx.clone(),
            factory_deps,
            custom_signature: custom,
            paymaster,
        }
        .refuse_zksync_fields()
    };
    assert!(
        with(
            vec![],
            Some(Bytes::new()),
            Some((Address::ZERO, Bytes::new()))
        )
        .is_ok()
    );
    let paymaster = with(vec![], None, Some((Address::repeat_byte(1), Bytes::new())));
    assert!(paymaster.unwrap_err().contains("a paymaster "));
    let input = with(
        vec![],
        None,
        Some((Address::ZERO, Bytes::from_static(&[1]))),
    );
    assert!(input.unwrap_err().contains("paymasterInput"));
    let custom = with(vec![], Some(Bytes::from_static(&[1])), None);
    assert!(custom.unwrap_err().contains("customSignature"));
}
