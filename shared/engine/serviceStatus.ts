// The ingress IP of an inbound Service, derived from its op and asked for until the Service shows
// it (reference recoverServiceExternalIPs: an adopted Service whose status lost the IP gets it back).
import { familyOfPublicIp, isOurs } from './admission.ts';
import type { Draft } from './draft.ts';
import { ask, confirmAsked, forgetAsked } from './kubeActions.ts';

/** The IP the Service should show, or null when it should not be patched now. */
function wantedIngress(d: Draft, name: string): string | null {
  const op = d.ops.get(name);
  if (!op || op.kind !== 'inbound' || op.publicIp === null || op.lastApplied === null) return null;
  if (op.state !== 'Created' && op.state !== 'UpdateInProgress') return null;
  const fact = d.kubeServices.get(name)?.fact;
  if (!fact || !isOurs(fact) || fact.deleting) return null;
  return op.publicIp;
}

export function reconcileServiceStatus(d: Draft, name: string): void {
  const key = `Status/${name}` as const;
  const ip = wantedIngress(d, name);
  const fact = d.kubeServices.get(name)?.fact;
  const family = ip === null ? null : familyOfPublicIp(ip);
  if (ip === null || family === null || !fact) {
    forgetAsked(d, key);
    return;
  }
  if (fact.ingressIPs.includes(ip)) {
    confirmAsked(d, key);
    return;
  }
  const target = { kind: 'Service' as const, namespace: fact.namespace, name: fact.name, uid: fact.uid };
  ask(d, key, { kind: 'PatchServiceStatus', target, ingressIp: ip, family }, ip);
}
