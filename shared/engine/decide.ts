// The engine's one verb: state and a batch of events in, next state and commands out.
// No I/O, no clock, no randomness but ctx.random.
import { applyAzureResources, requestAzureListing } from './azureListing.ts';
import { checkPendingDeletions, dispatchDue, expireOperations } from './dispatcher.ts';
import { Draft } from './draft.ts';
import { touchDueAsks, wakeForAsks } from './kubeActions.ts';
import { applyKubeEvent, pruneTombstones } from './kubeEvents.ts';
import { completeSync, expireSync, planLocationsSync } from './locationsSync.ts';
import { applyNrpDrift, applyNrpObserved } from './nrpObserved.ts';
import { reconcilePodFinalizers } from './podFinalizers.ts';
import { reconcileTouched, releaseFinalizersOfDroppedServices } from './reconcile.ts';
import { completeOperation } from './serviceCompletion.ts';
import type { ClusterState, DecideContext, Decision, EngineEvent } from './types.ts';
import { trackWithheld } from './withheldKinds.ts';

function applyEvent(d: Draft, e: EngineEvent): void {
  switch (e.kind) {
    case 'ServiceOperationCompleted':
      completeOperation(d, e.serviceName, e.dispatchId, e.outcome);
      return;
    case 'LocationsSyncCompleted':
      completeSync(d, e.syncId, e.applied, e.failure);
      return;
    case 'NrpObserved':
      applyNrpObserved(d, e);
      return;
    case 'NrpDriftObserved':
      applyNrpDrift(d, e);
      return;
    case 'AzureResourcesObserved':
      applyAzureResources(d, e);
      return;
    case 'Tick':
      // Time itself is the event: due retries, re-arms and sync windows are handled below.
      return;
    default:
      trackWithheld(d, e, () => applyKubeEvent(d, e));
  }
}

export function decide(state: ClusterState, events: readonly EngineEvent[], ctx: DecideContext): Decision {
  const d = new Draft(state, ctx);
  pruneTombstones(d);
  expireOperations(d);
  expireSync(d);
  for (const e of events) applyEvent(d, e);
  touchDueAsks(d);
  reconcileTouched(d);
  releaseFinalizersOfDroppedServices(d);
  checkPendingDeletions(d);
  dispatchDue(d);
  planLocationsSync(d);
  requestAzureListing(d);
  reconcilePodFinalizers(d);
  wakeForAsks(d);
  if (d.wakeAt !== null) d.emit({ kind: 'WakeAt', at: d.wakeAt });
  return { state: d.toState(), commands: d.commands, observations: d.observations };
}
