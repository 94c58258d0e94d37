// Table Storage's limits on one state row, enforced the same way by every store and checked on a
// decision before anything of it leaves the engine function: a Kubernetes object whose row would
// not fit is withheld (its last known state stays, its owner gets a Warning Event), so one object
// can never make every save of its cluster fail.
import type { ClusterState, EngineEvent, KubeObjectKind } from '../engine/types.ts';
import { MAX_VALUE_CHARS, StateLimitError, decodeKeyPart, diffRows } from './stateRows.ts';
import type { RowChange } from './stateRows.ts';

export { MAX_VALUE_CHARS };

export interface RowLimitViolation {
  readonly rowKey: string;
  readonly chars: number;
}

/** The changed rows whose value would not fit a row. */
export function rowLimitViolations(changes: readonly RowChange[]): RowLimitViolation[] {
  const out: RowLimitViolation[] = [];
  for (const c of changes) if (c.after !== null && c.after.length > MAX_VALUE_CHARS) out.push({ rowKey: c.rowKey, chars: c.after.length });
  return out;
}

/** What a store does before writing: refuse the whole save, naming every row that does not fit. */
export function assertRowLimits(changes: readonly RowChange[]): void {
  const bad = rowLimitViolations(changes);
  if (bad.length === 0) return;
  const first = bad[0]!;
  throw new StateLimitError(
    `row ${first.rowKey} would hold ${first.chars} characters of JSON, over the ${MAX_VALUE_CHARS} a row can carry${bad.length > 1 ? ` (and ${bad.length - 1} more rows)` : ''}`,
    bad.map((b) => b.rowKey),
  );
}

/** The rows of `next` (derived from `base`) that no store could write. */
export function oversizeRows(base: ClusterState, next: ClusterState): RowLimitViolation[] {
  return rowLimitViolations(diffRows(base, next));
}

const FACT_ROWS: Readonly<Record<string, KubeObjectKind>> = { svc: 'Service', slice: 'EndpointSlice', node: 'Node', pod: 'Pod' };

/** The cached Kubernetes object a row holds (its kind and cache key), or null for any other row. */
export function factOfRow(rowKey: string): { readonly objectKind: KubeObjectKind; readonly key: string } | null {
  const [kind, part, ...rest] = rowKey.split('|');
  const objectKind = kind === undefined ? undefined : FACT_ROWS[kind];
  if (objectKind === undefined || part === undefined || rest.length > 0) return null;
  return { objectKind, key: decodeKeyPart(part) };
}

function upsertKey(e: EngineEvent): { objectKind: KubeObjectKind; key: string; fact: { namespace?: string; name: string; uid: string; resourceVersion: string }; snapshot: string | undefined } | null {
  switch (e.kind) {
    case 'ServiceUpserted':
      return { objectKind: 'Service', key: e.service.uid.toLowerCase(), fact: e.service, snapshot: e.snapshot };
    case 'EndpointSliceUpserted':
      return { objectKind: 'EndpointSlice', key: `${e.slice.namespace}/${e.slice.name}`, fact: e.slice, snapshot: e.snapshot };
    case 'NodeUpserted':
      return { objectKind: 'Node', key: e.node.name, fact: e.node, snapshot: e.snapshot };
    case 'PodUpserted':
      return { objectKind: 'Pod', key: `${e.pod.namespace}/${e.pod.name}`, fact: e.pod, snapshot: e.snapshot };
    default:
      return null;
  }
}

/**
 * The events again, with every upsert that filled an oversize fact row replaced by ObjectWithheld.
 * Null when some oversize row is not a Kubernetes object's (the engine's own rows are bounded by
 * construction; such a row is a bug to surface, not input to refuse).
 */
export function withholdOversize(events: readonly EngineEvent[], violations: readonly RowLimitViolation[]): EngineEvent[] | null {
  const oversize = new Map<string, RowLimitViolation>();
  for (const v of violations) {
    const f = factOfRow(v.rowKey);
    if (f === null) return null;
    oversize.set(`${f.objectKind}/${f.key}`, v);
  }
  return events.map((e) => {
    const u = upsertKey(e);
    const v = u === null ? undefined : oversize.get(`${u.objectKind}/${u.key}`);
    if (u === null || v === undefined) return e;
    const label = u.fact.namespace === undefined ? `${u.objectKind} ${u.fact.name}` : `${u.objectKind} ${u.fact.namespace}/${u.fact.name}`;
    return {
      kind: 'ObjectWithheld',
      objectKind: u.objectKind,
      namespace: u.fact.namespace ?? null,
      name: u.fact.name,
      uid: u.fact.uid,
      resourceVersion: u.fact.resourceVersion,
      reason: 'ObjectTooLarge',
      detail: `${label} would take ${v.chars} characters of engine state, over the ${MAX_VALUE_CHARS} a state row holds`,
      ...(u.snapshot === undefined ? {} : { snapshot: u.snapshot }),
    };
  });
}
