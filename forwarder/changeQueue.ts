// The forwarder's outbox: at most one pending message per Kubernetes object (latest state wins, in
// the position of the first unsent change, so a snapshot's objects always stay ahead of its
// marker), bounded in objects and in bytes, and drained in order by the publisher.
//
// Objects are keyed by kind, namespace, name and UID: a delete and the re-creation under the same
// name are two objects and both reach the engine, in order. A snapshot marker is never coalesced in
// place: a newer marker for the kind replaces the older one and goes to the end, behind every object
// of its snapshot.
//
// The bounds are kept as running totals, adjusted on every put, replacement and acknowledgement:
// a put costs the same with 10 or 50,000 changes queued (the outbox is hot while Service Bus is away).
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
  /** The message body's size as sent (UTF-8 JSON): what the byte bound counts. */
  readonly bytes: number;
}

export interface OutboxBounds {
  /** Objects queued (snapshot markers not counted: there are at most four). */
  readonly maxObjects: number;
  /** Bytes of message bodies queued, markers included. */
  readonly maxBytes: number;
}

/** 64 MiB of JSON is about three times that in heap, inside the 384 MiB the deployment gives V8. */
export const DEFAULT_OUTBOX_BOUNDS: OutboxBounds = { maxObjects: 50_000, maxBytes: 64 * 1024 * 1024 };

/** Which bound refused a change. */
export type OverflowReason = 'objects' | 'bytes';

/** What the byte bound counts for a message: its body as sent, UTF-8 JSON. */
export function bodyBytes(message: OutgoingMessage): number {
  return Buffer.byteLength(JSON.stringify(message.body), 'utf8');
}

function isOlder(change: QueuedChange, than: QueuedChange): boolean {
  return change.resourceVersion !== undefined && than.resourceVersion !== undefined && compareResourceVersions(change.resourceVersion, than.resourceVersion) === -1;
}

export type PutResult = 'added' | 'coalesced' | 'dropped';

export interface ChangeQueueObserver {
  onCoalesced?(objectKind: KubeObjectKind): void;
  onDropped?(objectKind: KubeObjectKind, reason: OverflowReason): void;
}

export class ChangeQueue {
  private readonly entries = new Map<string, QueuedChange>();
  private readonly bounds: OutboxBounds;
  private readonly observer: ChangeQueueObserver;
  private waiters: (() => void)[] = [];
  private markers = 0;
  private queuedBytes = 0;

  constructor(bounds: OutboxBounds, observer: ChangeQueueObserver = {}) {
    for (const [name, v] of Object.entries(bounds)) {
      if (!Number.isInteger(v) || v < 1) throw new Error(`outbox ${name} must be a positive integer, got ${v}`);
    }
    this.bounds = bounds;
    this.observer = observer;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Bytes of the queued message bodies. */
  get bytes(): number {
    return this.queuedBytes;
  }

  /** Objects (markers not counted against the bound). */
  get objects(): number {
    return this.entries.size - this.markers;
  }

  /** Whether both bounds have room for at least half again: a dropped kind may be relisted. */
  get halfEmpty(): boolean {
    return this.objects <= this.bounds.maxObjects / 2 && this.queuedBytes <= this.bounds.maxBytes / 2;
  }

  /**
   * Queues a change. `force` admits it beyond the bounds: a snapshot is queued whole, since a
   * snapshot cut short could never be completed (the list already holds it in memory anyway).
   */
  put(change: QueuedChange, force = false): PutResult {
    if (change.marker) throw new Error('use putMarker for snapshot markers');
    const queued = this.entries.get(change.key);
    if (queued) {
      // The latest state wins, never an older one: the answer to an action (fed back as a fact)
      // can carry an object older than a watch event of it still waiting here.
      if (isOlder(change, queued)) return this.coalesced(change);
      // A state that grew past the byte bound is refused like a new object; the older one stays
      // queued and the relist that follows brings the newest.
      if (!force && change.bytes > queued.bytes && this.queuedBytes - queued.bytes + change.bytes > this.bounds.maxBytes) return this.dropped(change, 'bytes');
      this.replace(queued, change);
      return this.coalesced(change);
    }
    if (!force) {
      if (this.objects >= this.bounds.maxObjects) return this.dropped(change, 'objects');
      if (this.queuedBytes + change.bytes > this.bounds.maxBytes) return this.dropped(change, 'bytes');
    }
    this.add(change);
    this.wake();
    return 'added';
  }

  putMarker(change: QueuedChange): void {
    if (!change.marker) throw new Error('putMarker takes snapshot markers only');
    const queued = this.entries.get(change.key);
    if (queued) this.remove(queued);
    this.add(change);
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
    for (const e of sent) if (this.entries.get(e.key) === e) this.remove(e);
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

  private add(change: QueuedChange): void {
    this.entries.set(change.key, change);
    this.queuedBytes += change.bytes;
    if (change.marker) this.markers++;
  }

  /** In place: the key keeps its position. */
  private replace(queued: QueuedChange, change: QueuedChange): void {
    this.entries.set(change.key, change);
    this.queuedBytes += change.bytes - queued.bytes;
  }

  private remove(queued: QueuedChange): void {
    this.entries.delete(queued.key);
    this.queuedBytes -= queued.bytes;
    if (queued.marker) this.markers--;
  }

  private coalesced(change: QueuedChange): PutResult {
    this.observer.onCoalesced?.(change.objectKind);
    this.wake();
    return 'coalesced';
  }

  private dropped(change: QueuedChange, reason: OverflowReason): PutResult {
    this.observer.onDropped?.(change.objectKind, reason);
    return 'dropped';
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
