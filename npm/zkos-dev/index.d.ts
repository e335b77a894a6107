export interface ZkosDevOptions {
  /** L2 JSON-RPC port; 0 (the default) picks a free one. */
  l2Port?: number;
  /** Embedded L1 JSON-RPC port; 0 (the default) picks a free one. */
  l1Port?: number;
  /** More `zkos-dev start` flags, appended after the launcher's own. */
  args?: string[];
  /** The zkos-dev binary; defaults to the platform package's (or $ZKOS_DEV_BINARY_PATH). */
  binary?: string;
  /** How long to wait for the node to come up, in ms (default 60000). */
  timeoutMs?: number;
}

export interface ZkosDevAccount {
  address: `0x${string}`;
  privateKey: `0x${string}`;
  /** Genesis balance in wei. */
  balance: bigint;
}

export interface ZkosDev {
  /** L2 JSON-RPC URL, e.g. http://127.0.0.1:41234 (chain id 270). */
  l2Url: string;
  /** Embedded L1 JSON-RPC URL (chain id 31337). */
  l1Url: string;
  /** The funded dev accounts; their keys are public. */
  accounts: ZkosDevAccount[];
  /** The whole `--config-out` JSON (chain ids, L1 contract addresses, settlement, ...). */
  config: Record<string, any>;
  /** Process id of the node. */
  pid: number;
  /** Stops the node (SIGTERM, SIGKILL after 10 s) and resolves once it has exited. */
  stop(): Promise<void>;
}

/** Starts a zkos-dev devnet in memory on free ports and resolves once its L2 answers /health. */
export function createZkosDev(options?: ZkosDevOptions): Promise<ZkosDev>;

/** Absolute path of the zkos-dev binary this package runs. */
export function binaryPath(): string;
