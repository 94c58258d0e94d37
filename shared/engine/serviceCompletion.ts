// OnServiceCreationComplete of reference §2.2: one completion for create, update and delete, in
// order of precedence: preempted by a delete, update, delete, create.
import { backoffDelayMs } from './backoff.ts';
import type { Draft } from './draft.ts';
import { FRESH_RETRY, dropOp, fieldsOf, putOp, recordEgressEvent, recordServiceEvent, sameConfig } from './opRecords.ts';
import { parksUntilSpecChanges } from './configRefusal.ts';
import type { InFlight, OperationOutcome, RetryState, ServiceOp } from './types.ts';
import { reconcileServiceStatus } from './serviceStatus.ts';
import { linkedService } from './sliceLinks.ts';
import { nrpTypeOf } from './view.ts';

export const OVERLAY_MAPPINGS_ERROR = 'ServiceWithOverlayMappingsCannotBeDeleted';

type Failure = Extract<OperationOutcome, { result: 'failure' }>;

/**
 * Terminal: only the engine's own refusal of an inbound config, which a spec change re-arms. An ARM
 * error never is, whatever the adapter flagged (an older adapter flagged every 400 and 422).
 */
function isTerminal(op: ServiceOp, failure: Failure): boolean {
  return failure.terminal && parksUntilSpecChanges(op.kind, failure.code);
}

/** A failed operation's Warning: on the Service, or on a live pod of the egress identity. */
function recordFailure(d: Draft, op: ServiceOp, message: string): void {
  if (op.kind === 'inbound') recordServiceEvent(d, op.name, 'Warning', 'SyncLoadBalancerFailed', message);
  else recordEgressEvent(d, op.name, 'Warning', 'ServiceGatewayEgressSyncFailed', `egress identity ${op.name}: ${message}`);
}

/** Count a failure: back off, or park for the cooldown after maxServiceRetries. */
function failedRetry(d: Draft, op: ServiceOp, flight: InFlight, failure: Failure): RetryState {
  const { config } = d.ctx;
  const count = op.retry.count + 1;
  if (count >= config.maxServiceRetries) {
    const until = d.now + config.parkCooldownMs;
    d.observe({ kind: 'OperationParked', serviceName: op.name, reason: 'retries_exceeded', until });
    recordFailure(d, op, `${flight.operation} failed ${count} times (last: ${failure.code}); retrying after ${Math.round(config.parkCooldownMs / 1000)} s`);
    return { count, nextAt: until, parkedUntil: until };
  }
  const retryAt = d.now + backoffDelayMs(count, config.backoff, d.ctx.random);
  d.observe({ kind: 'OperationRetryScheduled', serviceName: op.name, operation: flight.operation, retryCount: count, retryAt });
  if (count === 1) recordFailure(d, op, `${flight.operation} failed: ${failure.code}: ${failure.message}`);
  return { count, nextAt: retryAt, parkedUntil: null };
}

function recordRegistration(d: Draft, op: ServiceOp, flight: InFlight): void {
  const services = d.mirrorServicesW();
  const own = nrpTypeOf(op.kind);
  const current = services.get(op.name);
  if (flight.operation === 'delete') {
    if (current === 'InboundOutbound') services.set(op.name, op.kind === 'inbound' ? 'Outbound' : 'Inbound');
    else services.delete(op.name);
    return;
  }
  services.set(op.name, current !== undefined && current !== own ? 'InboundOutbound' : own);
}


function parkTerminal(d: Draft, op: ServiceOp, flight: InFlight, failure: Failure): void {
  putOp(d, op, { ...fieldsOf(op), retry: FRESH_RETRY }, {
    state: 'NotStarted',
    inFlight: null,
    terminal: { code: failure.code, message: failure.message, rejectedConfig: flight.config },
  });
  d.observe({ kind: 'OperationParked', serviceName: op.name, reason: 'terminal_error', until: null });
  recordServiceEvent(d, op.name, 'Warning', 'ServiceGatewayConfigurationRejected', `${flight.operation} rejected: ${failure.code}: ${failure.message}`);
}

export function completeOperation(d: Draft, serviceName: string, dispatchId: string, outcome: OperationOutcome): void {
  const op = d.ops.get(serviceName);
  if (!op) {
    d.observe({ kind: 'CompletionIgnored', id: dispatchId, reason: 'unknownOperation' });
    return;
  }
  const flight = op.inFlight;
  if (!flight || flight.dispatchId !== dispatchId) {
    d.observe({ kind: 'CompletionIgnored', id: dispatchId, reason: 'staleDispatch' });
    return;
  }
  const success = outcome.result === 'success';
  // Even a failed operation may have changed NRP before it failed.
  d.nrpEpoch += 1;
  d.observe({
    kind: 'OperationCompleted',
    serviceName,
    serviceKind: op.kind,
    operation: flight.operation,
    status: success ? 'success' : 'failure',
    durationMs: d.now - flight.startedAt,
    errorCode: success ? null : outcome.code,
    correlationId: op.correlationId,
    attempt: flight.attempt,
  });
  if (success) recordRegistration(d, op, flight);
  const drifted = !sameConfig(op.config, flight.config);

  // 1. Preempted: a delete arrived while this create or update was running.
  if (op.state === 'DeletionPending' || (op.state === 'DeletionInProgress' && flight.operation !== 'delete')) {
    const lastApplied = success && flight.operation !== 'delete' ? flight.config : op.lastApplied;
    putOp(d, op, { ...fieldsOf(op), lastApplied }, { state: 'DeletionPending', inFlight: null });
    return;
  }

  switch (op.state) {
    case 'UpdateInProgress': {
      if (outcome.result === 'success') {
        const fields = { ...fieldsOf(op), lastApplied: flight.config, retry: FRESH_RETRY, publicIp: outcome.publicIp ?? op.publicIp };
        if (drifted) putOp(d, op, fields, { state: 'UpdateInProgress', inFlight: null });
        else putOp(d, op, fields, { state: 'Created', inFlight: null });
        if (op.kind === 'inbound') recordServiceEvent(d, op.name, 'Normal', 'EnsuredLoadBalancer', 'load balancer updated');
      } else if (isTerminal(op, outcome)) {
        if (drifted) putOp(d, op, { ...fieldsOf(op), retry: FRESH_RETRY }, { state: 'NotStarted', inFlight: null, terminal: null });
        else parkTerminal(d, op, flight, outcome);
      } else {
        putOp(d, op, { ...fieldsOf(op), retry: failedRetry(d, op, flight, outcome) }, { state: 'UpdateInProgress', inFlight: null });
      }
      return;
    }
    case 'DeletionInProgress': {
      if (outcome.result === 'success') {
        if (op.recreateAfterDeletion) {
          putOp(d, op, { ...fieldsOf(op), lastApplied: null, retry: FRESH_RETRY, recreateAfterDeletion: false, orphan: false, publicIp: null }, {
            state: 'NotStarted',
            inFlight: null,
            terminal: null,
          });
        } else {
          dropOp(d, op);
        }
      } else if (outcome.code === OVERLAY_MAPPINGS_ERROR) {
        // NRP still maps addresses to it: the mirror is wrong. Re-drain and read NRP again.
        putOp(d, op, { ...fieldsOf(op), retry: failedRetry(d, op, flight, outcome) }, { state: 'DeletionPending', inFlight: null });
        d.emit({ kind: 'ObserveNrp', reason: `${OVERLAY_MAPPINGS_ERROR} for ${op.name}` });
      } else {
        putOp(d, op, { ...fieldsOf(op), retry: failedRetry(d, op, flight, outcome) }, { state: 'DeletionInProgress', inFlight: null });
      }
      return;
    }
    case 'CreationInProgress': {
      if (outcome.result === 'success') {
        const fields = { ...fieldsOf(op), lastApplied: flight.config, retry: FRESH_RETRY, publicIp: outcome.publicIp ?? op.publicIp };
        if (drifted) putOp(d, op, fields, { state: 'UpdateInProgress', inFlight: null });
        else putOp(d, op, fields, { state: 'Created', inFlight: null });
        reconcileServiceStatus(d, op.name);
        if (op.kind === 'inbound') recordServiceEvent(d, op.name, 'Normal', 'EnsuredLoadBalancer', 'load balancer created');
        d.observe({ kind: 'BuffersFlushed', serviceName: op.name, ...bufferedCounts(d, op), waitedMs: d.now - op.createdAt });
      } else if (isTerminal(op, outcome)) {
        if (drifted) putOp(d, op, { ...fieldsOf(op), retry: FRESH_RETRY }, { state: 'NotStarted', inFlight: null, terminal: null });
        else parkTerminal(d, op, flight, outcome);
      } else {
        putOp(d, op, { ...fieldsOf(op), retry: failedRetry(d, op, flight, outcome) }, { state: 'NotStarted', inFlight: null, terminal: null });
      }
      return;
    }
  }
}

/** How many endpoint and pod addresses were waiting for this service (now released to the diff). */
function bufferedCounts(d: Draft, op: ServiceOp): { endpoints: number; pods: number } {
  let endpoints = 0;
  let pods = 0;
  if (op.kind === 'inbound') {
    for (const s of d.kubeSlices.values()) {
      if (linkedService(d, s.fact) !== op.name) continue;
      for (const ep of s.fact.endpoints) if (ep.ready !== false) endpoints += ep.addresses.length;
    }
  } else {
    for (const p of d.kubePods.values()) if (p.registered?.identity === op.name) pods += p.registered.addresses.length;
  }
  return { endpoints, pods };
}
