// Level-triggered: for every name an event touched, compare what the cluster wants with the op
// and apply the reference's intent transition. Absence is acted on only once it can be trusted.
import { desiredInbound, isInboundName, livePodsByIdentity } from './desired.ts';
import type { Draft } from './draft.ts';
import { ask, forgetAsked } from './kubeActions.ts';
import { reconcileServiceStatus } from './serviceStatus.ts';
import { deleteService, ensureOutbound, upsertInbound } from './serviceIntents.ts';
import type { ServiceKind } from './types.ts';
import { SERVICE_FINALIZER } from './types.ts';
import { nrpHas } from './view.ts';

function kindOf(d: Draft, name: string, liveIdentities: ReadonlyMap<string, unknown>): ServiceKind | null {
  const op = d.ops.get(name);
  if (op) return op.kind;
  if (isInboundName(d, name)) return 'inbound';
  if (liveIdentities.has(name)) return 'outbound';
  if (nrpHas(d.mirrorServices, name, 'inbound')) return 'inbound';
  if (nrpHas(d.mirrorServices, name, 'outbound')) return 'outbound';
  return null;
}

/** Our finalizer comes off a Service once nothing of it is left to clean up (or it is not ours). */
function releaseServiceFinalizer(d: Draft, name: string): void {
  const key = `Service/${name}` as const;
  const fact = d.kubeServices.get(name)?.fact;
  if (!fact || !fact.finalizers.includes(SERVICE_FINALIZER)) {
    forgetAsked(d, key);
    return;
  }
  // Before NRP was read once, "not registered" is not known yet; the read re-examines every Service.
  // Nor, before this engine's Azure resources were listed once, "nothing left in Azure" (ADR 0013).
  if (d.sync.nrpRead.state === 'unread' || d.azure.listing.state === 'unlisted') return;
  if (d.ops.has(name) || nrpHas(d.mirrorServices, name, 'inbound') || desiredInbound(d, name).status === 'present') {
    forgetAsked(d, key);
    return;
  }
  ask(d, key, {
    kind: 'RemoveFinalizer',
    target: { kind: 'Service', namespace: fact.namespace, name: fact.name, uid: fact.uid },
    finalizer: SERVICE_FINALIZER,
  });
}

export function reconcileTouched(d: Draft): void {
  if (d.touchedNames.size === 0) return;
  const liveIdentities = livePodsByIdentity(d);
  for (const name of [...d.touchedNames].sort()) {
    const kind = kindOf(d, name, liveIdentities);
    if (kind === 'inbound') {
      const want = desiredInbound(d, name);
      if (want.status === 'present') upsertInbound(d, want.config);
      else if (want.status === 'absent' && (d.ops.has(name) || d.kubeSynced.has('Service'))) deleteService(d, name, 'inbound');
    } else if (kind === 'outbound') {
      const live = liveIdentities.has(name) && !isInboundName(d, name);
      if (live) ensureOutbound(d, name);
      else if (d.kubeSynced.has('Pod')) deleteService(d, name, 'outbound');
    }
  }
  for (const name of d.touchedNames) {
    releaseServiceFinalizer(d, name);
    reconcileServiceStatus(d, name);
  }
  d.touchedNames.clear();
}

/** Called after ops were dropped by completions: their Services may now lose the finalizer. */
export function releaseFinalizersOfDroppedServices(d: Draft): void {
  for (const name of d.droppedOps()) releaseServiceFinalizer(d, name);
}
