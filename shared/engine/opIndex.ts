// The ops that can have something to do, so that no decision walks every op (docs/adr/0023):
// expiry, the drain gate and the dispatcher only ever act on an op that is not Created (a Created
// op is never in flight, never due, never draining), and in a steady cluster nearly all are.
// Their passes emit in ops-map order (a retry draws from ctx.random in that order), so the index
// also keeps each op's place in that order: a Map keeps a key where it was first set, and a key
// deleted and set again goes to the end, which is what a counter handed out on insertion gives.
// Built once per ops map, like the pod index, and kept in step by the Draft's op writes.
import { derivedIndex } from './derivedIndex.ts';
import { LayeredMap } from './layeredMap.ts';
import type { ServiceOp } from './types.ts';

type Ops = ReadonlyMap<string, ServiceOp>;

export interface OpIndex {
  /** Every op's place in the ops map's iteration order (increasing, not contiguous). */
  readonly place: ReadonlyMap<string, number>;
  /** Names of the ops that are not Created. */
  readonly unsettled: ReadonlyMap<string, true>;
  /** The place the next op added gets. */
  readonly nextPlace: number;
}

function isUnsettled(op: ServiceOp): boolean {
  return op.state !== 'Created';
}

const opIndexes = derivedIndex((ops: Ops): OpIndex => {
  const writer = new OpIndexWriter({ place: new Map(), unsettled: new Map(), nextPlace: 0 });
  for (const [name, op] of ops) writer.update(name, undefined, op);
  return writer.index();
});

export const opIndexOf = (ops: Ops): OpIndex => opIndexes.of(ops);
export const rememberOpIndex = (ops: Ops, index: OpIndex): void => opIndexes.remember(ops, index);

/** `names` in ops-map order. */
export function inOpsOrder(index: OpIndex, names: Iterable<string>): string[] {
  const place = (name: string): number => index.place.get(name) ?? Number.MAX_SAFE_INTEGER;
  return [...names].sort((a, b) => place(a) - place(b));
}

/** The unsettled ops, in ops-map order: what a walk of every op would have found to act on. */
export function unsettledOps(index: OpIndex, ops: Ops): ServiceOp[] {
  const out: ServiceOp[] = [];
  for (const name of inOpsOrder(index, index.unsettled.keys())) {
    const op = ops.get(name);
    if (op) out.push(op);
  }
  return out;
}

/** A copy-on-write working copy of an index: what one decision changes of it. */
export class OpIndexWriter {
  private place: ReadonlyMap<string, number>;
  private unsettled: ReadonlyMap<string, true>;
  private nextPlace: number;
  private ownPlace: LayeredMap<string, number> | null = null;
  private ownUnsettled: LayeredMap<string, true> | null = null;

  constructor(base: OpIndex) {
    this.place = base.place;
    this.unsettled = base.unsettled;
    this.nextPlace = base.nextPlace;
  }

  /** The op under `name` changes from `prev` to `next` (undefined: absent). */
  update(name: string, prev: ServiceOp | undefined, next: ServiceOp | undefined): void {
    if (prev === undefined && next !== undefined) {
      this.placeW().set(name, this.nextPlace);
      this.nextPlace += 1;
    } else if (prev !== undefined && next === undefined) this.placeW().delete(name);
    const was = prev !== undefined && isUnsettled(prev);
    const is = next !== undefined && isUnsettled(next);
    if (was === is) return;
    if (is) this.unsettledW().set(name, true);
    else this.unsettledW().delete(name);
  }

  index(): OpIndex {
    return { place: this.place, unsettled: this.unsettled, nextPlace: this.nextPlace };
  }

  private placeW(): LayeredMap<string, number> {
    this.ownPlace ??= LayeredMap.fork(this.place);
    return (this.place = this.ownPlace);
  }

  private unsettledW(): LayeredMap<string, true> {
    this.ownUnsettled ??= LayeredMap.fork(this.unsettled);
    return (this.unsettled = this.ownUnsettled);
  }
}
