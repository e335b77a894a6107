//! What records leave out, as they are a large part of the data dir: a receipt's logs bloom
//! (a function of its logs) and the code hash of an account without code. Records of version 2
//! carried both, and are read as well.

use alloy_consensus::{Eip658Value, Receipt, ReceiptEnvelope, ReceiptWithBloom, TxType};
use alloy_primitives::{Address, B256, Bloom, Bytes, KECCAK256_EMPTY, Log, U256};
use alloy_rlp::{Decodable, Encodable, Header};

use super::AccountWrite;

impl AccountWrite {
    /// The code hash as the record holds it: empty for an account without code.
    fn code_hash_field(&self) -> &[u8] {
        match self.code_hash {
            KECCAK256_EMPTY => &[],
            ref hash => hash.as_slice(),
        }
    }

    fn rlp_header(&self) -> Header {
        Header {
            list: true,
            payload_length: self.address.length()
                + self.exists.length()
                + self.nonce.length()
                + self.balance.length()
                + self.code_hash_field().length()
                + self.code_len.length(),
        }
    }
}

impl Encodable for AccountWrite {
    fn encode(&self, out: &mut dyn alloy_rlp::BufMut) {
        self.rlp_header().encode(out);
        self.address.encode(out);
        self.exists.encode(out);
        self.nonce.encode(out);
        self.balance.encode(out);
        self.code_hash_field().encode(out);
        self.code_len.encode(out);
    }

    fn length(&self) -> usize {
        self.rlp_header().length_with_payload()
    }
}

impl Decodable for AccountWrite {
    fn decode(buf: &mut &[u8]) -> alloy_rlp::Result<Self> {
        let header = Header::decode(buf)?;
        if !header.list {
            return Err(alloy_rlp::Error::UnexpectedString);
        }
        let started = buf.len();
        let address = Address::decode(buf)?;
        let exists = bool::decode(buf)?;
        let nonce = u64::decode(buf)?;
        let balance = U256::decode(buf)?;
        let code_hash = match Header::decode_bytes(buf, false)? {
            [] => KECCAK256_EMPTY,
            hash if hash.len() == 32 => B256::from_slice(hash),
            _ => return Err(alloy_rlp::Error::UnexpectedLength),
        };
        let code_len = u32::decode(buf)?;
        if started - buf.len() != header.payload_length {
            return Err(alloy_rlp::Error::ListLengthMismatch {
                expected: header.payload_length,
                got: started - buf.len(),
            });
        }
        Ok(Self {
            address,
            exists,
            nonce,
            balance,
            code_hash,
            code_len,
        })
    }
}

/// A receipt as a tx record holds it: its EIP-2718 encoding without the logs bloom (the type
/// byte unless legacy, then the RLP list of status, cumulative gas and logs). The bloom is a
/// function of the logs: 256 bytes a record need not carry.
pub fn receipt_record(receipt: &ReceiptEnvelope) -> Bytes {
    let inner = receipt
        .as_receipt()
        .expect("every receipt type has a receipt");
    let payload = inner.status.length() + inner.cumulative_gas_used.length() + inner.logs.length();
    let header = Header {
        list: true,
        payload_length: payload,
    };
    let mut out = Vec::with_capacity(1 + header.length_with_payload());
    let ty = receipt.tx_type();
    if ty != TxType::Legacy {
        out.push(ty as u8);
    }
    header.encode(&mut out);
    inner.status.encode(&mut out);
    inner.cumulative_gas_used.encode(&mut out);
    inner.logs.encode(&mut out);
    out.into()
}

/// A receipt back from a tx record: [`receipt_record`]'s form, or (records of version 2) the
/// full EIP-2718 encoding with the bloom.
pub fn receipt_from_record(bytes: &[u8]) -> anyhow::Result<ReceiptEnvelope> {
    let (ty, mut body) = match bytes.split_first() {
        Some((&ty, rest)) if ty < 0x7f => (ty, rest),
        _ => (0, bytes),
    };
    let ty = TxType::try_from(ty).map_err(|e| anyhow::anyhow!("{e}"))?;
    let header = Header::decode(&mut body)?;
    anyhow::ensure!(
        header.list && header.payload_length == body.len(),
        "not an RLP list of its length"
    );
    let status = Eip658Value::decode(&mut body)?;
    let cumulative_gas_used = u64::decode(&mut body)?;
    // A bloom is a 256-byte string (0xb9 0x01 0x00); the logs are a list.
    let bloom = match body.first() {
        Some(0xb9) => Some(Bloom::decode(&mut body)?),
        _ => None,
    };
    let logs = Vec::<Log>::decode(&mut body)?;
    anyhow::ensure!(body.is_empty(), "trailing bytes");
    let receipt = Receipt {
        status,
        cumulative_gas_used,
        logs,
    };
    let with_bloom = match bloom {
        Some(logs_bloom) => ReceiptWithBloom {
            receipt,
            logs_bloom,
        },
        None => receipt.with_bloom(),
    };
    Ok(ReceiptEnvelope::from_typed(ty, with_bloom))
}

#[cfg(test)]
mod tests {
    use alloy_eips::eip2718::Encodable2718 as _;
    use alloy_primitives::{Address, B256, LogData};

    use super::*;

    fn receipt(ty: TxType, logs: usize) -> ReceiptEnvelope {
        let logs = (0..logs)
            .map(|i| Log {
                address: Address::repeat_byte(i as u8 + 1),
                data: LogData::new_unchecked(vec![B256::repeat_byte(7)], vec![i as u8; 40].into()),
            })
            .collect();
        let receipt = Receipt {
            status: Eip658Value::Eip658(true),
            cumulative_gas_used: 21_000 * 3,
            logs,
        };
        ReceiptEnvelope::from_typed(ty, receipt.with_bloom())
    }

    #[test]
    fn a_receipt_comes_back_with_its_bloom_from_either_form() {
        for ty in [
            TxType::Legacy,
            TxType::Eip2930,
            TxType::Eip1559,
            TxType::Eip7702,
        ] {
            for logs in [0, 1, 3] {
                let receipt = receipt(ty, logs);
                let compact = receipt_record(&receipt);
                let full = receipt.encoded_2718();
                assert!(compact.len() + 259 <= full.len(), "{ty:?}, {logs} logs");
                // This version's records, and version 2's (the full encoding).
                assert_eq!(receipt_from_record(&compact).unwrap(), receipt);
                assert_eq!(receipt_from_record(&full).unwrap(), receipt);
            }
        }
        let compact = receipt_record(&receipt(TxType::Eip1559, 1));
        assert!(receipt_from_record(&compact[..compact.len() - 1]).is_err());
        assert!(receipt_from_record(&[0x09, 0xc0]).is_err());
    }

    /// Version 2's account write: every field as it is.
    #[derive(alloy_rlp::RlpEncodable)]
    struct FullAccountWrite {
        address: Address,
        exists: bool,
        nonce: u64,
        balance: U256,
        code_hash: B256,
        code_len: u32,
    }

    #[test]
    fn an_account_write_leaves_out_an_empty_code_hash_and_reads_either_form() {
        for code_hash in [KECCAK256_EMPTY, B256::repeat_byte(0xc0), B256::ZERO] {
            let write = AccountWrite {
                address: Address::repeat_byte(1),
                exists: true,
                nonce: 7,
                balance: U256::from(10u64).pow(U256::from(21)),
                code_hash,
                code_len: 0,
            };
            let full = alloy_rlp::encode(FullAccountWrite {
                address: write.address,
                exists: write.exists,
                nonce: write.nonce,
                balance: write.balance,
                code_hash,
                code_len: write.code_len,
            });
            let compact = alloy_rlp::encode(&write);
            assert_eq!(compact.len(), write.length());
            let saved = if code_hash == KECCAK256_EMPTY { 32 } else { 0 };
            assert!(compact.len() + saved <= full.len());
            for bytes in [&compact, &full] {
                let read = AccountWrite::decode(&mut bytes.as_slice()).unwrap();
                assert_eq!(
                    (read.address, read.nonce, read.balance, read.code_hash),
                    (write.address, write.nonce, write.balance, code_hash)
                );
            }
        }
        let compact = alloy_rlp::encode(AccountWrite::absent(Address::ZERO));
        assert!(AccountWrite::decode(&mut &compact[..compact.len() - 1]).is_err());
    }
}
