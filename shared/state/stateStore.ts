// The port the engine function persists through. Implemented over Table Storage
// (tableStateStore.ts) and in memory (memoryStateStore.ts); one contract suite runs against both.
import type { ClusterState } from '../engine/types.ts';

export interface StoreOptions {
  readonly abortSignal?: AbortSignal | undefined;
}

/** A state as loaded, with what the store needs to save the next one (ETags, generation). */
export interface LoadedState {
  readonly state: ClusterState;
  /** Opaque to callers: only the store that produced it reads it. */
  readonly version: unknown;
}

/** Someone else saved this cluster's state since it was loaded: load again and re-decide. */
export class StateConflictError extends Error {
  override readonly name = 'StateConflictError';
  readonly cluster: string;

  constructor(cluster: string, message = `state of cluster ${cluster} changed since it was loaded`) {
    super(message);
    this.cluster = cluster;
  }
}

export function isStateConflictError(e: unknown): e is StateConflictError {
  return e instanceof Error && e.name === 'StateConflictError';
}

export interface StateStore {
  /** The cluster's state, or the initial state when none was saved yet. */
  load(cluster: string, options?: StoreOptions): Promise<LoadedState>;
  /**
   * Save `next`, which decide() derived from `loaded.state`: only what changed is written, and
   * the save is all-or-nothing (a crash part-way leaves `loaded.state` readable). Throws
   * StateConflictError when the stored state is no longer `loaded`.
   */
  save(loaded: LoadedState, next: ClusterState, options?: StoreOptions): Promise<LoadedState>;
  /**
   * An opaque value that changes whenever a save of the cluster commits (null: nothing saved yet),
   * read in one bounded request: a reader can tell whether what it loaded earlier is still current
   * without loading again. It may also change when no commit did (a save in progress); never the
   * other way round.
   */
  stamp(cluster: string, options?: StoreOptions): Promise<string | null>;
}
