// Which objects the forwarder writes to for the engine: Services the engine owns and the egress
// pods it registers, as they are now, not as the action says. The ClusterRole lets the forwarder
// patch any Service or Pod, so a buggy or forged action must not reach someone else's object.
import { EGRESS_LABEL, SERVICE_FINALIZER } from '../../shared/engine/types.ts';
import type { KubernetesAction } from '../../shared/messages/kubernetesActionSchema.ts';
import type { Json } from '../kubeApi.ts';
import { jsonObject } from '../kubeApi.ts';

/** Why an action was not applied; also the `reason` label of `forwarder_actions_refused_total`. */
export type RefusalReason = 'NotLoadBalancer' | 'ForeignLoadBalancerClass' | 'NoServiceFinalizer' | 'NotEgressPod';

const rec = (v: unknown): Json => jsonObject(v) ?? {};

/** A Service the engine serves: type LoadBalancer without a loadBalancerClass (any class is another controller's). */
function serviceRefusal(service: Json): RefusalReason | null {
  const spec = rec(service['spec']);
  if (spec['type'] !== 'LoadBalancer') return 'NotLoadBalancer';
  if (spec['loadBalancerClass'] !== undefined && spec['loadBalancerClass'] !== null) return 'ForeignLoadBalancerClass';
  return null;
}

function hasServiceFinalizer(service: Json): boolean {
  const finalizers = rec(service['metadata'])['finalizers'];
  return Array.isArray(finalizers) && finalizers.includes(SERVICE_FINALIZER);
}

/**
 * Null when the action may be applied to `current`, the target as just read. Removing our own
 * finalizer is always allowed: it only gives up the engine's claim, and a Service that stopped
 * being a LoadBalancer must still be let go once its Azure resources are cleaned up.
 */
export function refusalOf(action: KubernetesAction, current: Json): RefusalReason | null {
  switch (action.kind) {
    case 'PatchServiceStatus':
      return serviceRefusal(current) ?? (hasServiceFinalizer(current) ? null : 'NoServiceFinalizer');
    case 'AddFinalizer':
      if (action.target.kind === 'Service') return serviceRefusal(current);
      return EGRESS_LABEL in rec(rec(current['metadata'])['labels']) ? null : 'NotEgressPod';
    case 'RemoveFinalizer':
    case 'RecordKubernetesEvent':
      return null;
  }
}
