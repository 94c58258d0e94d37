// One log line per thing a committed decision observed, with the service it concerns named the
// way operators search for it (`serviceUid` for an inbound service, `egressIdentity` for an
// outbound one), its state after the decision and the correlation id its operations carry. A line
// keeps its message whatever the outcome, so one query finds both; `status` and the level differ.
import type { ClusterState, EngineObservation, ServiceOp } from '../engine/types.ts';
import type { EngineLog, EngineLogFields } from './engineLog.ts';

function serviceFields(name: string, before: ClusterState, after: ClusterState): EngineLogFields {
  const now = after.ops.get(name);
  const op: ServiceOp | undefined = now ?? before.ops.get(name);
  const who = op?.kind === 'outbound' ? { egressIdentity: name } : { serviceUid: name };
  return { ...who, state: now?.state ?? 'Untracked', correlationId: op?.correlationId };
}

function iso(ms: number | null): string | undefined {
  return ms === null ? undefined : new Date(ms).toISOString();
}

export function logObservation(log: EngineLog, o: EngineObservation, before: ClusterState, after: ClusterState): void {
  switch (o.kind) {
    case 'EventIgnored':
      log.debug('event ignored', { objectKind: o.objectKind, object: o.key, reason: o.reason });
      return;
    case 'CompletionIgnored':
      log.info('completion ignored', { completionId: o.id, reason: o.reason });
      return;
    case 'NrpObservationIgnored':
      log.info('NRP read ignored', { reason: o.reason });
      return;
    case 'AzureListingIgnored':
      log.info('Azure listing ignored', { reason: o.reason });
      return;
    case 'AzureOrphanFound':
      // Warn: the engine deletes resources on its own; an operator should be able to see which.
      log.warn('Azure orphan found', { ...serviceFields(o.serviceName, before, after), resources: o.resources.join(',') });
      return;
    case 'AdmissionRejected':
      log.warn('service not admitted', { serviceUid: o.serviceUid.toLowerCase(), reason: o.reason, detail: o.message });
      return;
    case 'InputRejected':
      // One line per object and reason: `count` items, `detail` the first few of them.
      log.warn('input rejected', { objectKind: o.objectKind, object: o.key, reason: o.reason, count: o.count, detail: o.examples.join('; ') });
      return;
    case 'OperationDispatched': {
      const op = o.operation;
      log.info('service operation dispatched', {
        ...serviceFields(op.serviceName, before, after),
        operation: op.operation,
        correlationId: op.correlationId,
        dispatchId: op.dispatchId,
        attempt: op.attempt,
        orphan: op.orphan,
      });
      return;
    }
    case 'OperationCompleted': {
      const fields = {
        ...serviceFields(o.serviceName, before, after),
        operation: o.operation,
        status: o.status,
        errorCode: o.errorCode ?? undefined,
        durationMs: o.durationMs,
        correlationId: o.correlationId,
        attempt: o.attempt,
      };
      if (o.status === 'success') log.info('service operation completed', fields);
      else log.warn('service operation completed', fields);
      return;
    }
    case 'OperationRetryScheduled':
      log.info('service operation retry scheduled', { ...serviceFields(o.serviceName, before, after), operation: o.operation, retryCount: o.retryCount, retryAt: iso(o.retryAt) });
      return;
    case 'OperationParked':
      log.warn('service operation parked', { ...serviceFields(o.serviceName, before, after), reason: o.reason, until: iso(o.until) });
      return;
    case 'OutboundUpdateSkipped':
      log.info('outbound update skipped', { ...serviceFields(o.serviceName, before, after), operation: 'update' });
      return;
    case 'BuffersFlushed':
      if (o.endpoints + o.pods === 0) return;
      log.info('buffered addresses released', { ...serviceFields(o.serviceName, before, after), endpoints: o.endpoints, pods: o.pods, durationMs: o.waitedMs });
      return;
    case 'StateChanged':
      log.info('state changed', { ...serviceFields(o.serviceName, before, after), from: o.from, state: o.to });
      return;
    case 'LocationsSyncDispatched':
      log.info('locations sync dispatched', { syncId: o.syncId, requests: o.requests, added: o.added, removed: o.removed, updated: o.updated });
      return;
    case 'LocationsSyncFinished': {
      const fields = { syncId: o.syncId, status: o.status, durationMs: o.durationMs, errorCode: o.errorCode ?? undefined, terminal: o.terminal };
      if (o.status === 'success') log.info('locations sync finished', fields);
      else log.warn('locations sync finished', fields);
      return;
    }
  }
}
