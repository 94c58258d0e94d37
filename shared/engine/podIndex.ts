// The pods by what the passes ask of them, so that no event walks every pod (docs/adr/0023):
// the live pods of each egress identity (is it wanted? may a drained IP belong to a sibling?) and
// the pods that hold our finalizer without registering live (the ones a release can be due for).
// Built once per pods map (maps are never changed once a decision returns them, so the index of
// a returned map stays true) and kept in step by the Draft's pod writes.
import { derivedIndex } from './derivedIndex.ts';
import { LayeredMap } from './layeredMap.ts';
import type { CachedPod } from './types.ts';
import { POD_FINALIZER } from './types.ts';

type Pods = ReadonlyMap<string, CachedPod>;
/** Pod keys, as a map to `true` so that it forks like every other map of the state. */
export type PodKeys = ReadonlyMap<string, true>;

export interface PodIndex {
  /** Egress identity -> keys of the live pods that register under it (never empty). */
  readonly liveByIdentity: ReadonlyMap<string, PodKeys>;
  /** Keys of the pods that carry our finalizer and do not register live. */
  readonly held: PodKeys;
}

/** The identity a pod registers under now, if it is live with a valid identity and a placed address. */
export function liveEgressIdentity(pod: CachedPod): string | null {
  return pod.live && pod.registered ? pod.registered.identity : null;
}

function isHeld(pod: CachedPod): boolean {
  return liveEgressIdentity(pod) === null && pod.fact.finalizers.includes(POD_FINALIZER);
}

const podIndexes = derivedIndex((pods: Pods): PodIndex => {
  const writer = new PodIndexWriter(emptyIndex());
  for (const [key, pod] of pods) writer.update(key, undefined, pod);
  return writer.index();
});

export const podIndexOf = (pods: Pods): PodIndex => podIndexes.of(pods);
/** Records `index` as the index of `pods` (a Draft's, as it returns them). */
export const rememberPodIndex = (pods: Pods, index: PodIndex): void => podIndexes.remember(pods, index);

function emptyIndex(): PodIndex {
  return { liveByIdentity: new Map(), held: new Map() };
}

/** A copy-on-write working copy of an index: what one decision changes of it. */
export class PodIndexWriter {
  private liveByIdentity: ReadonlyMap<string, PodKeys>;
  private held: PodKeys;
  private ownIdentities: LayeredMap<string, PodKeys> | null = null;
  private ownHeld: LayeredMap<string, true> | null = null;
  /** Identities whose key map this writer already forked. */
  private readonly forked = new Map<string, LayeredMap<string, true>>();

  constructor(base: PodIndex) {
    this.liveByIdentity = base.liveByIdentity;
    this.held = base.held;
  }

  /** The pod under `key` changes from `prev` to `next` (undefined: absent). */
  update(key: string, prev: CachedPod | undefined, next: CachedPod | undefined): void {
    const before = prev ? liveEgressIdentity(prev) : null;
    const after = next ? liveEgressIdentity(next) : null;
    if (before !== after) {
      if (before !== null) this.removeLive(before, key);
      if (after !== null) this.addLive(after, key);
    }
    const wasHeld = prev !== undefined && isHeld(prev);
    const isNowHeld = next !== undefined && isHeld(next);
    if (wasHeld === isNowHeld) return;
    this.ownHeld ??= LayeredMap.fork(this.held);
    this.held = this.ownHeld;
    if (isNowHeld) this.ownHeld.set(key, true);
    else this.ownHeld.delete(key);
  }

  index(): PodIndex {
    return { liveByIdentity: this.liveByIdentity, held: this.held };
  }

  private identities(): LayeredMap<string, PodKeys> {
    this.ownIdentities ??= LayeredMap.fork(this.liveByIdentity);
    this.liveByIdentity = this.ownIdentities;
    return this.ownIdentities;
  }

  private keysOf(identity: string): LayeredMap<string, true> {
    let keys = this.forked.get(identity);
    if (!keys) {
      keys = LayeredMap.fork(this.liveByIdentity.get(identity) ?? new Map<string, true>());
      this.forked.set(identity, keys);
      this.identities().set(identity, keys);
    }
    return keys;
  }

  private addLive(identity: string, key: string): void {
    const keys = this.keysOf(identity);
    keys.set(key, true);
    this.identities().set(identity, keys);
  }

  private removeLive(identity: string, key: string): void {
    const keys = this.keysOf(identity);
    keys.delete(key);
    if (keys.size === 0) this.identities().delete(identity);
  }
}
