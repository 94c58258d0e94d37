// The local pipeline's public shape: every component of the product on one machine, each behind
// its simulator, so that scenarios, `npm start` and the end-to-end tests drive the real code.
import type { BrokerCounters, BrokerHandle } from '../sim/bus/broker.ts';
import type { KubeSimulator } from '../sim/kube/server.ts';
import type { NrpRuntimeControls, NrpSimulator } from '../sim/nrp/server.ts';
import type { ClusterState, EngineConfig } from '../../shared/engine/types.ts';
import type { RealAdapters } from './realAdapters.ts';

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
   * allows, and its burst. Default: production's (half the budget, burst 30, ADR 0027), so local runs pace
   * writes as Azure would; a scale scenario may raise them to finish in test time.
   */
  readonly nrpWriteBudget?: { readonly share?: number | undefined; readonly burst?: number | undefined } | undefined;
  /** Where to write a kubeconfig for kubectl against the local cluster (null: none). */
  readonly kubeconfigPath?: string | null | undefined;
  /** Serve the functions' HTTP (debug) endpoints on this port (null: not served). */
  readonly httpPort?: number | null | undefined;
  /** Progress lines (default: none). */
  readonly log?: ((line: string) => void) | undefined;
  /** Parts switched to real services (default none: everything local). The simulators still run, unused for those parts. */
  readonly real?: RealAdapters | undefined;
  /**
   * Which parts of the product run inside this process (default: both). A part left out is run by
   * the caller in a process of its own against `tablesConnectionString`, the broker's connection
   * string and the Kubernetes simulator's kubeconfig (the benchmark does, to measure each
   * process's memory); `restart` and the faults then leave it alone, and `pending()` cannot see
   * its in-memory work (forwarder outbox, invocations running).
   */
  readonly inProcess?: { readonly functions?: boolean | undefined; readonly forwarder?: boolean | undefined } | undefined;
  /** Change events the Kubernetes simulator keeps for watches (default the simulator's, 10,000). */
  readonly kubeHistorySize?: number | undefined;
  /**
   * Peek-lock and session-lock duration of the function queues (default 5 s, so that a message a
   * crashed handler held comes back quickly). Azure's queues use 30 s (infra); a run whose
   * invocations take seconds needs that, or locks lapse while their renewal waits for the CPU.
   */
  readonly queueLockDurationMs?: number | undefined;
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

/** What `startPipeline` returns: a Pipeline plus what a harness needs to run parts elsewhere and to count. */
export interface LocalPipeline extends Pipeline {
  readonly nrp: NrpSimulator & NrpRuntimeControls;
  readonly broker: BrokerHandle & BrokerCounters;
  /** The Azurite Table endpoint, as a connection string (allow plain http on its clients). */
  readonly tablesConnectionString: string;
}
