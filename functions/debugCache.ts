// The debug views of each served cluster, kept per stored-state stamp in this instance: a request
// on an unchanged state costs one point read of the stamp, not a load of every row and a diff of
// the whole mirror. At most one entry per cluster in ENGINE_CLUSTERS.
import { debugViewsOf } from './debugViews.ts';
import type { DebugViews } from './debugViews.ts';
import type { StateStore } from '../shared/state/stateStore.ts';

interface Entry {
  readonly stamp: string | null;
  /** Shared by the requests that arrive while it is computed. */
  readonly views: Promise<DebugViews>;
}

export class DebugViewCache {
  private readonly entries = new Map<string, Entry>();

  async viewsOf(store: StateStore, cluster: string): Promise<DebugViews> {
    // The stamp is read before the load: a save in between makes the cached views newer than
    // their stamp, which costs one more load later but never serves an older state as current.
    const stamp = await store.stamp(cluster);
    const cached = this.entries.get(cluster);
    if (cached && cached.stamp === stamp) return cached.views;
    const views = store.load(cluster).then(({ state }) => debugViewsOf(state));
    const entry = { stamp, views };
    this.entries.set(cluster, entry);
    views.catch(() => {
      if (this.entries.get(cluster) === entry) this.entries.delete(cluster);
    });
    return views;
  }
}
