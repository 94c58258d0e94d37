// What Kubernetes answered a pod finalizer action with goes back to the engine as a fact. A pod
// that left the egress label selector is no longer watched, so without this the engine would never
// see our finalizer come off it (and would ask for the release forever).
import type { KubernetesAction } from '../../shared/messages/kubernetesActionSchema.ts';
import type { ChangeContext, KindChanges, Translation } from '../objectChanges.ts';
import type { ActionOutcome } from './kubeWriter.ts';

/**
 * The change to pass on for an applied pod finalizer action, or null. `newestResourceVersion` is
 * the pod watch's latest, used as the resourceVersion of a pod found gone.
 */
export function answerOfFinalizerAction(action: KubernetesAction, outcome: ActionOutcome, pods: KindChanges | undefined, newestResourceVersion: string | null, ctx: ChangeContext): Translation | null {
  if (pods === undefined || (action.kind !== 'RemoveFinalizer' && action.kind !== 'AddFinalizer') || action.target.kind !== 'Pod') return null;
  if (outcome.result === 'gone') return pods.answered(null, action.target, newestResourceVersion, ctx);
  if ((outcome.result === 'applied' || outcome.result === 'unchanged') && outcome.object !== undefined) return pods.answered(outcome.object, action.target, null, ctx);
  return null;
}
