// The in-memory twin of TableStateStore, for tests and the local host. It keeps the same rows as
// JSON (so every load returns fresh objects and the codec is exercised) and has the same observable
// semantics: the initial state for an unknown cluster, only changed rows written, StateConflictError
// when the stored state is no longer the loaded one, and a save that changes nothing is a no-op.
import type { ClusterState } from '../engine/types.ts';
import type { LoadedState, StateStore, StoreOptions } from './stateStore.ts';
import { StateConflictError } from './stateStore.ts';
import { assembleState, diffRows, metaJsonOf } from './stateRows.ts';
import { assertRowLimits } from './stateLimits.ts';

export interface MemoryStateStoreOptions {
  /** Told the row keys (meta excluded) each committed save wrote or deleted. */
  readonly onRowsWritten?: ((rowKeys: readonly string[]) => void) | undefined;
}

interface StoredCluster {
  /** Replaced on every committed save: a load's token tells whether it is still current. */
  token: object;
  /** The number of the save that made `token`, as the store's stamp. */
  stamp: string;
  meta: string;
  readonly rows: Map<string, string>;
}

class MemoryVersion {
  readonly store: MemoryStateStore;
  readonly cluster: string;
  readonly token: object | null;
  readonly base: ClusterState;
  readonly metaJson: string;

  constructor(store: MemoryStateStore, cluster: string, token: object | null, base: ClusterState, metaJson: string) {
    this.store = store;
    this.cluster = cluster;
    this.token = token;
    this.base = base;
    this.metaJson = metaJson;
  }
}

export class MemoryStateStore implements StateStore {
  private readonly clusters = new Map<string, StoredCluster>();
  private readonly onRowsWritten: ((rowKeys: readonly string[]) => void) | undefined;
  private saves = 0;

  constructor(options: MemoryStateStoreOptions = {}) {
    this.onRowsWritten = options.onRowsWritten;
  }

  load(cluster: string, options: StoreOptions = {}): Promise<LoadedState> {
    return settled(() => {
      options.abortSignal?.throwIfAborted();
      const stored = this.clusters.get(cluster);
      const { state } = assembleState(cluster, stored?.meta ?? null, stored?.rows ?? []);
      return { state, version: new MemoryVersion(this, cluster, stored?.token ?? null, state, metaJsonOf(state)) };
    });
  }

  stamp(cluster: string, options: StoreOptions = {}): Promise<string | null> {
    return settled(() => {
      options.abortSignal?.throwIfAborted();
      return this.clusters.get(cluster)?.stamp ?? null;
    });
  }

  save(loaded: LoadedState, next: ClusterState, options: StoreOptions = {}): Promise<LoadedState> {
    return settled(() => this.saveNow(loaded, next, options));
  }

  private saveNow(loaded: LoadedState, next: ClusterState, options: StoreOptions): LoadedState {
    options.abortSignal?.throwIfAborted();
    const v = loaded.version;
    if (!(v instanceof MemoryVersion) || v.store !== this) throw new TypeError('save: the LoadedState was not loaded from this store');
    if (next.cluster !== v.cluster) throw new TypeError(`save: state of cluster ${next.cluster} given for cluster ${v.cluster}`);
    const changes = diffRows(v.base, next);
    const metaJson = metaJsonOf(next);
    if (changes.length === 0 && metaJson === v.metaJson) return loaded;
    // The same limits as Table Storage, so a state only the twin could hold cannot pass a test.
    assertRowLimits(changes);

    // Nothing below awaits, so the check and the writes are one atomic step.
    const stored = this.clusters.get(v.cluster);
    if ((stored?.token ?? null) !== v.token) throw new StateConflictError(v.cluster);
    const rows = stored?.rows ?? new Map<string, string>();
    for (const c of changes) {
      if (c.after === null) rows.delete(c.rowKey);
      else rows.set(c.rowKey, c.after);
    }
    const token = {};
    const stamp = String(++this.saves);
    if (stored) {
      stored.token = token;
      stored.stamp = stamp;
      stored.meta = metaJson;
    } else {
      this.clusters.set(v.cluster, { token, stamp, meta: metaJson, rows });
    }
    this.onRowsWritten?.(changes.map((c) => c.rowKey));
    return { state: next, version: new MemoryVersion(this, v.cluster, token, next, metaJson) };
  }
}

/** Run `f` now and settle a promise with its result, so a throw becomes a rejection. */
function settled<T>(f: () => T): Promise<T> {
  return new Promise((resolve) => resolve(f()));
}
