//! The whole devnet as bytes and back (`anvil_dumpState`, `anvil_loadState`), and named
//! snapshots in the data dir (`zkos_saveSnapshot`, `zkos_loadSnapshot`, `zkos_listSnapshots`,
//! `zkos_removeSnapshot`).

use alloy_primitives::Bytes;

use super::{Module, RpcContext};
use crate::{
    persistence::{dump::DevnetDump, named},
    rpc::error::{RpcError, RpcResult},
};

/// The devnet as a dump (see [`crate::devnet::dump`]).
async fn dump(c: &RpcContext) -> Result<DevnetDump, RpcError> {
    crate::devnet::dump(c.devnet.as_deref(), &c.sequencer)
        .await
        .map_err(RpcError::internal)
}

/// Replaces the devnet with a dump; a dump that does not fit this node is bad params.
async fn load(c: &RpcContext, devnet_dump: DevnetDump) -> Result<(), RpcError> {
    crate::devnet::load(c.devnet.as_deref(), &c.sequencer, devnet_dump)
        .await
        .map_err(|e| match e {
            crate::devnet::DevnetError::Load(msg) => RpcError::params(msg),
            e => RpcError::internal(e),
        })
}

/// The data dir's named snapshots (a node in memory has none).
fn saved_snapshots(c: &RpcContext) -> Result<named::NamedSnapshots, RpcError> {
    c.saved.clone().ok_or_else(|| {
        RpcError::params("this node keeps no data dir, so it has no named snapshots")
    })
}

/// Registers the methods.
pub(super) fn register(m: &mut Module) -> anyhow::Result<()> {
    // The whole devnet (both chains with their blocks, and the batches) as opaque bytes, as
    // anvil's dump is; `anvil_loadState` replaces the devnet with one.
    m.register_async_method("anvil_dumpState", |_, c, _| async move {
        let devnet_dump = dump(&c).await?;
        RpcResult::Ok(Bytes::from(devnet_dump.to_bytes()))
    })?;
    m.register_async_method("anvil_loadState", |p, c, _| async move {
        let (bytes,): (Bytes,) = p.parse()?;
        let devnet_dump =
            DevnetDump::from_bytes(&bytes).map_err(|e| RpcError::params(format!("{e:#}")))?;
        load(&c, devnet_dump).await?;
        RpcResult::Ok(true)
    })?;
    // Named snapshots in the data dir (`zkos-dev snapshot save|load|list|rm`): whole-devnet
    // dumps that outlive the node, unlike `evm_snapshot` ids.
    m.register_async_method("zkos_saveSnapshot", |p, c, _| async move {
        let (name,): (String,) = p.parse()?;
        let saved = saved_snapshots(&c)?;
        named::check_name(&name).map_err(RpcError::params)?;
        let devnet_dump = dump(&c).await?;
        let info = tokio::task::spawn_blocking(move || saved.save(&name, &devnet_dump))
            .await
            .map_err(RpcError::internal)?
            .map_err(|e| RpcError::Internal(format!("{e:#}")))?;
        RpcResult::Ok(info)
    })?;
    m.register_async_method("zkos_loadSnapshot", |p, c, _| async move {
        let (name,): (String,) = p.parse()?;
        let saved = saved_snapshots(&c)?;
        let devnet_dump = tokio::task::spawn_blocking(move || saved.load(&name))
            .await
            .map_err(RpcError::internal)?
            .map_err(|e| RpcError::params(format!("{e:#}")))?;
        load(&c, devnet_dump).await?;
        RpcResult::Ok(true)
    })?;
    m.register_async_method("zkos_listSnapshots", |_, c, _| async move {
        let saved = saved_snapshots(&c)?;
        let list = saved
            .list()
            .map_err(|e| RpcError::Internal(format!("{e:#}")))?;
        RpcResult::Ok(list)
    })?;
    m.register_async_method("zkos_removeSnapshot", |p, c, _| async move {
        let (name,): (String,) = p.parse()?;
        let saved = saved_snapshots(&c)?;
        named::check_name(&name).map_err(RpcError::params)?;
        let removed = saved
            .remove(&name)
            .map_err(|e| RpcError::Internal(format!("{e:#}")))?;
        RpcResult::Ok(removed)
    })?;
    Ok(())
}
