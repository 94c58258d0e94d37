// The engine's metrics, derived after a commit from what decide() observed and from the state it
// committed. Recording only committed decisions keeps the numbers exact: a decision thrown away
// (an ETag conflict, a crash before the save) is decided again and counted once, when it sticks.
import type { Meter } from '@opentelemetry/api';
import type { ClusterState, Decision, EngineObservation } from '../engine/types.ts';
import { counterOf, histogramOf } from './instruments.ts';
import { StateGauges } from './stateGauges.ts';
import type { StateGaugesOptions } from './stateGauges.ts';

export class EngineMetrics {
  private readonly operations;
  private readonly operationSeconds;
  private readonly retries;
  private readonly parked;
  private readonly bufferedEndpoints;
  private readonly bufferedPods;
  private readonly bufferSeconds;
  private readonly syncs;
  private readonly syncSeconds;
  private readonly addressesSynced;
  private readonly orphansCleaned;
  private readonly azureOrphansFound;
  private readonly rejectedInputs;
  private readonly gauges: StateGauges;

  constructor(meter: Meter, options: StateGaugesOptions = {}) {
    this.operations = counterOf(meter, 'engine_service_operations_total');
    this.operationSeconds = histogramOf(meter, 'engine_service_operation_duration_seconds');
    this.retries = counterOf(meter, 'engine_operation_retries_total');
    this.parked = counterOf(meter, 'engine_service_operations_parked_total');
    this.bufferedEndpoints = counterOf(meter, 'engine_buffered_endpoints_total');
    this.bufferedPods = counterOf(meter, 'engine_buffered_pods_total');
    this.bufferSeconds = histogramOf(meter, 'engine_buffer_duration_seconds');
    this.syncs = counterOf(meter, 'engine_locations_sync_total');
    this.syncSeconds = histogramOf(meter, 'engine_locations_sync_duration_seconds');
    this.addressesSynced = counterOf(meter, 'engine_location_addresses_synced');
    this.orphansCleaned = counterOf(meter, 'engine_orphaned_resources_cleaned_total');
    this.azureOrphansFound = counterOf(meter, 'engine_azure_orphans_found_total');
    this.rejectedInputs = counterOf(meter, 'engine_rejected_inputs_total');
    this.gauges = new StateGauges(meter, options);
  }

  /** A decision about `cluster` is durable; `before` is the state it was decided on. */
  recordCommit(cluster: string, before: ClusterState, decision: Decision): void {
    for (const o of decision.observations) this.recordObservation(before, o);
    this.gauges.update(cluster, decision.state);
  }

  private recordObservation(before: ClusterState, o: EngineObservation): void {
    switch (o.kind) {
      case 'OperationCompleted':
        this.operations.add(1, { operation: o.operation, status: o.status });
        this.operationSeconds.record(o.durationMs / 1000, { operation: o.operation });
        // The orphan flag lives on the record the completion closed, which the decision may drop.
        if (o.status === 'success' && o.operation === 'delete' && before.ops.get(o.serviceName)?.orphan === true) this.orphansCleaned.add(1, {});
        return;
      case 'OperationRetryScheduled':
        this.retries.add(1, { operation: o.operation });
        return;
      case 'OperationParked':
        this.parked.add(1, { reason: o.reason });
        return;
      case 'BuffersFlushed':
        if (o.endpoints + o.pods === 0) return;
        this.bufferedEndpoints.add(o.endpoints, {});
        this.bufferedPods.add(o.pods, {});
        this.bufferSeconds.record(o.waitedMs / 1000, {});
        return;
      case 'LocationsSyncDispatched':
        this.addressesSynced.add(o.added, { action: 'add' });
        this.addressesSynced.add(o.removed, { action: 'remove' });
        this.addressesSynced.add(o.updated, { action: 'update' });
        return;
      case 'LocationsSyncFinished':
        this.syncs.add(1, { status: o.status });
        this.syncSeconds.record(o.durationMs / 1000, {});
        return;
      case 'AzureOrphanFound':
        this.azureOrphansFound.add(1, { service_type: o.serviceKind });
        return;
      case 'InputRejected':
        this.rejectedInputs.add(o.count, { reason: o.reason });
        return;
      case 'AdmissionRejected':
        this.rejectedInputs.add(1, { reason: o.reason });
        return;
      default:
        return;
    }
  }
}
