// The local pipeline's public shape: every component of the product on one machine, each behind
// its simulator, so that scenarios, `npm start` and the end-to-end tests drive the real code.
import type { BrokerHandle } from '../sim/bus/broker.ts';
import type { KubeSimulator } from '../sim/kube/server.ts';
import type { NrpSimulator } from '../sim/nrp/server.ts';
import type { ClusterState, EngineConfig } from '../../shared/engine/types.ts';

export type Component = 'functions' | 'forwarder' | 'all';

export interface PipelineOptions {
  /** Cluster name (engine state partition, session id). Default `demo`. */
  readonly cluster?: string | undefined;
  /** Engine tuning; the local default shortens the sync window to 200 ms so scenarios run fast. */
  readonly engineConfig?: Partial<EngineConfig> | undefined;
  /** NRP simulator latency (default none). */
  readonly nrpLatency?: { readonly writeMs?: number | undefined; readonly lbCreateMs?: number | undefined } | undefined;
  /**
   * The share of NRP's write budget (1,000 per 5 min per subscription) the functions' throttle gate
   * allows, and its burst. Default: production's (half the budget, burst 20), so local runs pace
   * writes as Azure would; a scale scenario may raise them to finish in test time.
   */
  readonly nrpWriteBudget?: { readonly share?: number | undefined; readonly burst?: number | undefined } | undefined;
  /** Where to write a kubeconfig for kubectl against the local cluster (null: none). */
  readonly kubeconfigPath?: string | null | undefined;
  /** Serve the functions' HTTP (debug) endpoints on this port (null: not served). */
  readonly httpPort?: number | null | undefined;
  /** Progress lines (default: none). */
  readonly log?: ((line: string) => void) | undefined;
}

/** What is still moving; empty arrays/zeros everywhere means idle. */
export interface PendingWork {
  /** Messages active, scheduled or locked, per queue (dead letters are not pending). */
  readonly queues: Readonly<Record<string, number>>;
  /** Changes the forwarder has not sent yet. */
  readonly forwarderOutbox: number;
  /** Handler invocations running now. */
  readonly invocationsInFlight: number;
  /** Engine operations not in a resting state (name -> state), from the stored engine state. */
  readonly operations: Readonly<Record<string, string>>;
  /** True while the engine has a locations sync in flight or locations marked dirty. */
  readonly locationsPending: boolean;
}

export interface Pipeline {
  readonly cluster: string;
  readonly kube: KubeSimulator;
  readonly nrp: NrpSimulator;
  readonly broker: BrokerHandle;
  /** Base URL of the functions' debug HTTP endpoints, when served. */
  readonly httpUrl: string | null;
  /** Arms a fault on the storage tables: the next `times` Table requests fail with `status`. */
  armTablesFault(status: number | 'timeout', times: number): void;
  /** Arms a fault on the bus: the next `times` sends from the functions fail. */
  armBusFault(times: number): void;
  /** Drops the in-memory side of a component and starts it again; in-flight messages are redelivered. */
  restart(component: Component): Promise<void>;
  /** What is still pending right now. */
  pending(): Promise<PendingWork>;
  /** The stored engine state of the cluster (for the report's convergence check only). */
  engineState(): Promise<ClusterState>;
  stop(): Promise<void>;
}
