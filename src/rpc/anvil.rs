//! anvil's cheatcodes, with the `hardhat_*` / `evm_*` spellings anvil accepts next to each:
//! impersonation, account edits (balance, code, nonce, storage, ERC-20 balances and
//! allowances), the mempool, the next block's settings, the clock, snapshots, rollback,
//! reorg and reset. Everything that changes the chain goes to the sequencer as a
//! `SequencerCommand`; impersonation is the RPC's own business (who may send without a key).

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};

use alloy_consensus::{SignableTransaction, Signed, TxEnvelope};
use alloy_eips::eip2718::Encodable2718;
use alloy_primitives::{Address, B256, Bytes, Signature, U256, keccak256};
use alloy_rpc_types_eth::TransactionRequest;
use alloy_sol_types::SolCall;
use jsonrpsee::RpcModule;
use parking_lot::RwLock;
use revm::bytecode::Bytecode;
use serde::{Deserialize, Deserializer};
use serde_json::Value;

use super::{
    RpcContext,
    dev::{ask, tell},
    error::{RpcError, RpcResult},
    send::fill_request,
};
use crate::{
    mempool::PoolError,
    sequencer::{AccountEdit, SequencerCommand, SettingsEdit},
    tx::ReadyTx,
};

mod dumps;
mod erc20;
mod reorg;

use erc20::{allowance_slots, allowanceCall, balance_slots, balanceOfCall, erc20_slot};

type Module = RpcModule<RpcContext>;

/// Accounts `eth_sendTransaction` accepts without a key (`anvil_impersonateAccount`).
#[derive(Debug, Default)]
pub struct Impersonation {
    /// Held only to look up or change one address.
    accounts: RwLock<HashSet<Address>>,
    /// Every account (`anvil_autoImpersonateAccount`, `--auto-impersonate`).
    auto: AtomicBool,
}

impl Impersonation {
    /// `auto`: every account is impersonated.
    pub fn new(auto: bool) -> Self {
        Self {
            accounts: Default::default(),
            auto: AtomicBool::new(auto),
        }
    }

    /// Whether `eth_sendTransaction` from `address` skips signing.
    pub fn is_impersonated(&self, address: &Address) -> bool {
        self.auto.load(Ordering::Relaxed) || self.accounts.read().contains(address)
    }
}

/// A number as anvil accepts it: a JSON number, a hex (`0x`) or a decimal string.
#[derive(Debug, Clone, Copy)]
pub struct Num(pub U256);

impl Num {
    /// As u64, saturating.
    pub fn u64(self) -> u64 {
        self.0.saturating_to()
    }
}

impl<'de> Deserialize<'de> for Num {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let parsed = match Value::deserialize(d)? {
            Value::Number(n) => n.as_u64().map(U256::from).ok_or("not a whole number"),
            Value::String(s) => match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
                Some(hex) => U256::from_str_radix(hex, 16).map_err(|_| "bad hex number"),
                None => U256::from_str_radix(&s, 10).map_err(|_| "bad decimal number"),
            },
            _ => Err("expected a number"),
        };
        parsed.map(Num).map_err(D::Error::custom)
    }
}

/// Builds `request` from an impersonated `from`: filled as a wallet would, with a dummy
/// signature and the sender set explicitly. The hash also covers the sender, so it is unique
/// per tx even where two senders' txs have the same fields (as in anvil).
pub(crate) fn impersonated_tx(c: &RpcContext, request: TransactionRequest) -> RpcResult<ReadyTx> {
    let from = request
        .from
        .ok_or_else(|| RpcError::params("missing `from`"))?;
    let typed = fill_request(c, request)?;
    let dummy = Signature::new(U256::from(1), U256::from(1), false);
    let envelope = TxEnvelope::from(typed.into_signed(dummy));
    let mut preimage = envelope.encoded_2718();
    preimage.extend_from_slice(from.as_slice());
    let hash = keccak256(&preimage);
    fn rehash<T: Clone>(signed: Signed<T>, hash: B256) -> Signed<T> {
        Signed::new_unchecked(signed.tx().clone(), *signed.signature(), hash)
    }
    let envelope = match envelope {
        TxEnvelope::Legacy(s) => TxEnvelope::Legacy(rehash(s, hash)),
        TxEnvelope::Eip2930(s) => TxEnvelope::Eip2930(rehash(s, hash)),
        TxEnvelope::Eip1559(s) => TxEnvelope::Eip1559(rehash(s, hash)),
        TxEnvelope::Eip7702(s) => TxEnvelope::Eip7702(rehash(s, hash)),
        TxEnvelope::Eip4844(_) => return Err(PoolError::TxTypeNotSupported.into()),
    };
    Ok(ReadyTx {
        hash,
        sender: from,
        envelope: envelope.into(),
    })
}

async fn edit(c: &RpcContext, address: Address, edit: AccountEdit) -> RpcResult<()> {
    ask(c, |reply| SequencerCommand::EditAccount {
        address,
        edit,
        reply,
    })
    .await
}

async fn settings(c: &RpcContext, edit: SettingsEdit) -> RpcResult<Value> {
    ask(c, |reply| SequencerCommand::Settings { edit, reply }).await?;
    Ok(Value::Null)
}

/// Registers the methods.
pub fn register(m: &mut Module) -> anyhow::Result<()> {
    // Impersonation.
    m.register_method("anvil_impersonateAccount", |p, c, _| -> RpcResult<Value> {
        let (address,): (Address,) = p.parse()?;
        c.impersonation.accounts.write().insert(address);
        Ok(Value::Null)
    })?;
    m.register_alias("hardhat_impersonateAccount", "anvil_impersonateAccount")?;
    m.register_method(
        "anvil_stopImpersonatingAccount",
        |p, c, _| -> RpcResult<Value> {
            let (address,): (Address,) = p.parse()?;
            c.impersonation.accounts.write().remove(&address);
            Ok(Value::Null)
        },
    )?;
    m.register_alias(
        "hardhat_stopImpersonatingAccount",
        "anvil_stopImpersonatingAccount",
    )?;
    m.register_method(
        "anvil_autoImpersonateAccount",
        |p, c, _| -> RpcResult<Value> {
            let (on,): (bool,) = p.parse()?;
            c.impersonation.auto.store(on, Ordering::Relaxed);
            Ok(Value::Null)
        },
    )?;
    m.register_alias(
        "hardhat_autoImpersonateAccount",
        "anvil_autoImpersonateAccount",
    )?;
    m.register_blocking_method(
        "eth_sendUnsignedTransaction",
        |p, c, _| -> RpcResult<B256> {
            let (request,): (TransactionRequest,) = p.parse()?;
            c.submit(impersonated_tx(&c, request)?)
        },
    )?;

    // Accounts.
    m.register_async_method("anvil_setBalance", |p, c, _| async move {
        let (address, balance): (Address, Num) = p.parse()?;
        edit(&c, address, AccountEdit::Balance(balance.0)).await?;
        RpcResult::Ok(Value::Null)
    })?;
    m.register_alias("hardhat_setBalance", "anvil_setBalance")?;
    m.register_async_method("anvil_addBalance", |p, c, _| async move {
        let (address, amount): (Address, Num) = p.parse()?;
        edit(&c, address, AccountEdit::AddBalance(amount.0)).await?;
        RpcResult::Ok(Value::Null)
    })?;
    m.register_alias("hardhat_addBalance", "anvil_addBalance")?;
    m.register_async_method("anvil_setCode", |p, c, _| async move {
        let (address, code): (Address, Bytes) = p.parse()?;
        let code =
            Bytecode::new_raw_checked(code).map_err(|e| RpcError::params(format!("{e:?}")))?;
        edit(&c, address, AccountEdit::Code(code)).await?;
        RpcResult::Ok(Value::Null)
    })?;
    m.register_alias("hardhat_setCode", "anvil_setCode")?;
    m.register_async_method("anvil_setNonce", |p, c, _| async move {
        let (address, nonce): (Address, Num) = p.parse()?;
        let nonce = u64::try_from(nonce.0).map_err(|_| RpcError::params("nonce too large"))?;
        edit(&c, address, AccountEdit::Nonce(nonce)).await?;
        RpcResult::Ok(Value::Null)
    })?;
    m.register_alias("hardhat_setNonce", "anvil_setNonce")?;
    m.register_alias("evm_setAccountNonce", "anvil_setNonce")?;
    m.register_async_method("anvil_setStorageAt", |p, c, _| async move {
        let (address, slot, value): (Address, Num, B256) = p.parse()?;
        let value = U256::from_be_bytes(value.0);
        edit(
            &c,
            address,
            AccountEdit::Storage {
                slot: slot.0,
                value,
            },
        )
        .await?;
        RpcResult::Ok(true)
    })?;
    m.register_alias("hardhat_setStorageAt", "anvil_setStorageAt")?;
    m.register_async_method("anvil_dealERC20", |p, c, _| async move {
        let (holder, token, amount): (Address, Address, Num) = p.parse()?;
        let call = balanceOfCall { account: holder }.abi_encode();
        let slot = erc20_slot(&c, token, call, balance_slots(holder))
            .await?
            .ok_or_else(|| RpcError::internal("Unable to set ERC20 balance, no slot found"))?;
        edit(
            &c,
            token,
            AccountEdit::Storage {
                slot,
                value: amount.0,
            },
        )
        .await?;
        RpcResult::Ok(Value::Null)
    })?;
    m.register_alias("hardhat_dealERC20", "anvil_dealERC20")?;
    m.register_alias("anvil_setERC20Balance", "anvil_dealERC20")?;
    m.register_async_method("anvil_setERC20Allowance", |p, c, _| async move {
        let (owner, spender, token, amount): (Address, Address, Address, Num) = p.parse()?;
        let call = allowanceCall { owner, spender }.abi_encode();
        let slot = erc20_slot(&c, token, call, allowance_slots(owner, spender))
            .await?
            .ok_or_else(|| RpcError::internal("Unable to set ERC20 allowance, no slot found"))?;
        edit(
            &c,
            token,
            AccountEdit::Storage {
                slot,
                value: amount.0,
            },
        )
        .await?;
        RpcResult::Ok(Value::Null)
    })?;

    // Mempool.
    m.register_method(
        "anvil_dropTransaction",
        |p, c, _| -> RpcResult<Option<B256>> {
            let (hash,): (B256,) = p.parse()?;
            Ok(c.mempool.remove_with_dependents(&hash).then_some(hash))
        },
    )?;
    m.register_alias("hardhat_dropTransaction", "anvil_dropTransaction")?;
    m.register_method("anvil_dropAllTransactions", |_, c, _| -> RpcResult<Value> {
        c.mempool.clear();
        Ok(Value::Null)
    })?;
    m.register_alias("hardhat_dropAllTransactions", "anvil_dropAllTransactions")?;
    m.register_method(
        "anvil_removePoolTransactions",
        |p, c, _| -> RpcResult<Value> {
            let (sender,): (Address,) = p.parse()?;
            c.mempool.remove_sender(&sender);
            Ok(Value::Null)
        },
    )?;

    // The next blocks' settings.
    m.register_async_method("anvil_setCoinbase", |p, c, _| async move {
        let (coinbase,): (Address,) = p.parse()?;
        settings(&c, SettingsEdit::Coinbase(coinbase)).await
    })?;
    m.register_alias("hardhat_setCoinbase", "anvil_setCoinbase")?;
    m.register_async_method("anvil_setNextBlockBaseFeePerGas", |p, c, _| async move {
        let (base_fee,): (Num,) = p.parse()?;
        settings(&c, SettingsEdit::BaseFee(base_fee.u64())).await
    })?;
    m.register_alias(
        "hardhat_setNextBlockBaseFeePerGas",
        "anvil_setNextBlockBaseFeePerGas",
    )?;
    m.register_method("anvil_setMinGasPrice", |p, _, _| -> RpcResult<Value> {
        let (_,): (Num,) = p.parse()?;
        // As anvil: a minimum gas price only exists before EIP-1559, and this chain has it.
        Err(RpcError::params(
            "anvil_setMinGasPrice is not supported when EIP-1559 is active",
        ))
    })?;
    m.register_alias("hardhat_setMinGasPrice", "anvil_setMinGasPrice")?;
    m.register_async_method("anvil_setBlockGasLimit", |p, c, _| async move {
        let (gas_limit,): (Num,) = p.parse()?;
        settings(&c, SettingsEdit::GasLimit(gas_limit.u64())).await?;
        RpcResult::Ok(true)
    })?;
    m.register_alias("evm_setBlockGasLimit", "anvil_setBlockGasLimit")?;
    m.register_async_method("anvil_setChainId", |p, c, _| async move {
        let (chain_id,): (Num,) = p.parse()?;
        settings(&c, SettingsEdit::ChainId(chain_id.u64())).await
    })?;
    m.register_async_method("anvil_setLoggingEnabled", |p, c, _| async move {
        let (on,): (bool,) = p.parse()?;
        tell(&c, SequencerCommand::SetLogging(on)).await?;
        RpcResult::Ok(Value::Null)
    })?;
    m.register_alias("hardhat_setLoggingEnabled", "anvil_setLoggingEnabled")?;

    // The clock.
    m.register_async_method("anvil_increaseTime", |p, c, _| async move {
        let (seconds,): (Num,) = p.parse()?;
        ask(&c, |reply| SequencerCommand::IncreaseTime {
            seconds: seconds.u64(),
            reply,
        })
        .await
    })?;
    m.register_alias("evm_increaseTime", "anvil_increaseTime")?;
    m.register_async_method("anvil_setTime", |p, c, _| async move {
        let (timestamp,): (Num,) = p.parse()?;
        ask(&c, |reply| SequencerCommand::SetTime {
            timestamp: timestamp.u64(),
            reply,
        })
        .await
    })?;
    m.register_alias("evm_setTime", "anvil_setTime")?;
    m.register_async_method("anvil_setNextBlockTimestamp", |p, c, _| async move {
        let (timestamp,): (Num,) = p.parse()?;
        let timestamp = timestamp.u64();
        ask(&c, |reply| SequencerCommand::SetNextTimestamp {
            timestamp,
            reply,
        })
        .await??;
        RpcResult::Ok(Value::Null)
    })?;
    m.register_alias("evm_setNextBlockTimestamp", "anvil_setNextBlockTimestamp")?;
    m.register_async_method("anvil_setBlockTimestampInterval", |p, c, _| async move {
        let (seconds,): (Num,) = p.parse()?;
        let interval = Some(seconds.u64());
        ask(&c, |reply| SequencerCommand::SetTimestampInterval {
            interval,
            reply,
        })
        .await?;
        RpcResult::Ok(Value::Null)
    })?;
    m.register_async_method("anvil_removeBlockTimestampInterval", |_, c, _| async move {
        ask(&c, |reply| SequencerCommand::SetTimestampInterval {
            interval: None,
            reply,
        })
        .await
    })?;

    // Snapshots and history.
    // With an L1, both chains (and the pipeline between them) are saved and restored together.
    m.register_async_method("anvil_snapshot", |_, c, _| async move {
        match &c.devnet {
            Some(devnet) => devnet.snapshot().await.map_err(RpcError::internal),
            None => ask(&c, SequencerCommand::Snapshot).await,
        }
    })?;
    m.register_alias("evm_snapshot", "anvil_snapshot")?;
    m.register_async_method("anvil_revert", |p, c, _| async move {
        let (id,): (Num,) = p.parse()?;
        match &c.devnet {
            Some(devnet) => devnet.revert(id.0).await.map_err(RpcError::internal),
            None => ask(&c, |reply| SequencerCommand::Revert { id: id.0, reply }).await,
        }
    })?;
    m.register_alias("evm_revert", "anvil_revert")?;
    m.register_async_method("anvil_reset", |p, c, _| async move {
        let mut seq = p.sequence();
        let options: Option<Value> = seq.optional_next()?;
        super::fork::reset(&c, options).await
    })?;
    m.register_alias("hardhat_reset", "anvil_reset")?;
    dumps::register(m)?;
    reorg::register(m)?;
    Ok(())
}
