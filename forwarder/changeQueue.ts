// The forwarder's outbox: at most one pending message per Kubernetes object (latest state wins, in
// the position of the first unsent change, so a snapshot's objects always stay ahead of its
// marker), bounded, and drained in order by the publisher.
//
// Objects are keyed by kind, namespace, name and UID: a delete and the re-creation under the same
// name are two objects and both reach the engine, in order. A snapshot marker is never coalesced in
// place: a newer marker for the kind replaces the older one and goes to the end, behind every object
// of its snapshot.
import type { KubeObjectKind } from '../shared/engine/types.ts';
import { compareResourceVersions } from '../shared/engine/resourceVersion.ts';
import type { OutgoingMessage } from '../shared/messages/outgoing.ts';

export interface QueuedChange {
  readonly key: string;
  readonly objectKind: KubeObjectKind;
  readonly message: OutgoingMessage;
  /** True for a KubernetesSynced marker. */
  readonly marker: boolean;
  /** The object's resourceVersion in this change, when it has one. */
  readonly resourceVersion?: string | undefined;
}

function isOlder(change: QueuedChange, than: QueuedChange): boolean {
  return change.resourceVersion !== undefined && than.resourceVersion !== undefined && compareResourceVersions(change.resourceVersion, than.resourceVersion) === -1;
}

export type PutResult = 'added' | 'coalesced' | 'dropped';

export interface ChangeQueueObserver {
  onCoalesced?(objectKind: KubeObjectKind): void;
  onDropped?(objectKind: KubeObjectKind): void;
}

export class ChangeQueue {
  private readonly entries = new Map<string, QueuedChange>();
  private readonly capacity: number;
  private readonly observer: ChangeQueueObserver;
  private waiters: (() => void)[] = [];

  constructor(capacity: number, observer: ChangeQueueObserver = {}) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`queue capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
    this.observer = observer;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Objects (markers not counted against the bound: there are at most four). */
  private objectCount(): number {
    let n = this.entries.size;
    for (const e of this.entries.values()) if (e.marker) n--;
    return n;
  }

  /**
   * Queues a change. `force` admits it beyond the bound: a snapshot is queued whole, since a
   * snapshot cut short could never be completed (the list already holds it in memory anyway).
   */
  put(change: QueuedChange, force = false): PutResult {
    if (change.marker) throw new Error('use putMarker for snapshot markers');
    const queued = this.entries.get(change.key);
    if (queued) {
      // The latest state wins, never an older one: the answer to an action (fed back as a fact)
      // can carry an object older than a watch event of it still waiting here.
      if (!isOlder(change, queued)) this.entries.set(change.key, change);
      this.observer.onCoalesced?.(change.objectKind);
      this.wake();
      return 'coalesced';
    }
    if (!force && this.objectCount() >= this.capacity) {
      this.observer.onDropped?.(change.objectKind);
      return 'dropped';
    }
    this.entries.set(change.key, change);
    this.wake();
    return 'added';
  }

  putMarker(change: QueuedChange): void {
    if (!change.marker) throw new Error('putMarker takes snapshot markers only');
    this.entries.delete(change.key);
    this.entries.set(change.key, change);
    this.wake();
  }

  /** The first `n` changes in order, left in the queue until acknowledged. */
  peek(n: number): QueuedChange[] {
    const out: QueuedChange[] = [];
    for (const e of this.entries.values()) {
      if (out.length >= n) break;
      out.push(e);
    }
    return out;
  }

  /** Removes what was sent, unless a newer change for the same key replaced it meanwhile. */
  ack(sent: readonly QueuedChange[]): void {
    for (const e of sent) if (this.entries.get(e.key) === e) this.entries.delete(e.key);
  }

  /** Resolves when the queue holds something (at once if it already does) or the signal aborts. */
  async whenNotEmpty(signal?: AbortSignal): Promise<void> {
    if (this.entries.size > 0 || signal?.aborted) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        signal?.removeEventListener('abort', done);
        resolve();
      };
      this.waiters.push(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
