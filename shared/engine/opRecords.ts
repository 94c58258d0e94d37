// Small helpers to build and store op records, so transitions read as the reference describes them.
import type { Draft } from './draft.ts';
import type {
  ObjectRef,
  OpPhase,
  RetryState,
  ServiceConfig,
  ServiceKind,
  ServiceOp,
  ServiceOpFields,
} from './types.ts';
import { SERVICE_FINALIZER } from './types.ts';

export const FRESH_RETRY: RetryState = { count: 0, nextAt: null, parkedUntil: null };

export function fieldsOf(op: ServiceOp): ServiceOpFields {
  return {
    name: op.name,
    kind: op.kind,
    config: op.config,
    lastApplied: op.lastApplied,
    retry: op.retry,
    recreateAfterDeletion: op.recreateAfterDeletion,
    orphan: op.orphan,
    correlationId: op.correlationId,
    createdAt: op.createdAt,
    dispatches: op.dispatches,
    publicIp: op.publicIp,
  };
}

export function newFields(d: Draft, name: string, kind: ServiceKind, config: ServiceConfig | null, orphan: boolean): ServiceOpFields {
  return {
    name,
    kind,
    config,
    lastApplied: null,
    retry: FRESH_RETRY,
    recreateAfterDeletion: false,
    orphan,
    correlationId: d.nextId(`corr:${name}`),
    createdAt: d.now,
    dispatches: 0,
    publicIp: null,
  };
}

/** Store an op; a state change can change readiness, so the locations diff is due again. */
export function putOp(d: Draft, prev: ServiceOp | undefined, fields: ServiceOpFields, phase: OpPhase): ServiceOp {
  const next: ServiceOp = { ...fields, ...phase };
  d.putOpRecord(next);
  if (prev?.state !== next.state) {
    d.observe({ kind: 'StateChanged', serviceName: next.name, from: prev?.state ?? 'Untracked', to: next.state });
    d.markLocationsDirty();
    d.releaseCheckAll = true;
  }
  return next;
}

export function dropOp(d: Draft, prev: ServiceOp): void {
  d.removeOpRecord(prev.name);
  d.observe({ kind: 'StateChanged', serviceName: prev.name, from: prev.state, to: 'Untracked' });
  d.markLocationsDirty();
  d.releaseCheckAll = true;
}

/** Re-store an op in the same phase with some fields changed. */
export function patchOp(d: Draft, op: ServiceOp, patch: Partial<ServiceOpFields>): ServiceOp {
  const { state, inFlight } = op;
  const phase = (op.state === 'NotStarted' ? { state, inFlight, terminal: op.terminal } : { state, inFlight }) as OpPhase;
  return putOp(d, op, { ...fieldsOf(op), ...patch }, phase);
}

export function sameConfig(a: ServiceConfig | null, b: ServiceConfig | null): boolean {
  if (a === b) return true;
  if (a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The Service object an inbound name belongs to, from the cache or the last config we built. */
export function serviceRefOf(d: Draft, name: string): ObjectRef | null {
  const fact = d.kubeServices.get(name)?.fact;
  if (fact) return { kind: 'Service', namespace: fact.namespace, name: fact.name, uid: fact.uid };
  const op = d.ops.get(name);
  const config = op?.config ?? op?.lastApplied;
  if (config?.kind === 'inbound') return { kind: 'Service', ...config.service };
  return null;
}

export function recordServiceEvent(d: Draft, name: string, type: 'Normal' | 'Warning', reason: string, message: string): void {
  const target = serviceRefOf(d, name);
  if (target) d.emit({ kind: 'RecordKubernetesEvent', target, type, reason, message });
}

/**
 * The pod an egress identity's Events go on, since a NAT gateway has no Kubernetes object of its
 * own: its first live pod by namespace, then name (stable while that pod lives), or null.
 */
export function egressPodRefOf(d: Draft, identity: string): ObjectRef | null {
  let first: ObjectRef | null = null;
  for (const key of d.kubePodIndex.liveByIdentity.get(identity)?.keys() ?? []) {
    const p = d.kubePods.get(key);
    if (!p) continue;
    const { namespace, name, uid } = p.fact;
    if (first === null || namespace < first.namespace || (namespace === first.namespace && name < first.name)) first = { kind: 'Pod', namespace, name, uid };
  }
  return first;
}

export function recordEgressEvent(d: Draft, identity: string, type: 'Normal' | 'Warning', reason: string, message: string): void {
  const target = egressPodRefOf(d, identity);
  if (target) d.emit({ kind: 'RecordKubernetesEvent', target, type, reason, message });
}

export function ensureServiceFinalizer(d: Draft, name: string): void {
  const fact = d.kubeServices.get(name)?.fact;
  if (!fact || fact.deleting || fact.finalizers.includes(SERVICE_FINALIZER)) return;
  d.emit({
    kind: 'AddFinalizer',
    target: { kind: 'Service', namespace: fact.namespace, name: fact.name, uid: fact.uid },
    finalizer: SERVICE_FINALIZER,
  });
}
