// The ServiceUpdater's dispatcher (reference §3) as a pure pass: which operations start now,
// within the concurrency bound and the retry gates, plus the drain gate of pending deletions.
import type { Draft } from './draft.ts';
import { servicesReferencedBy } from './locationsDiff.ts';
import { FRESH_RETRY, fieldsOf, putOp, sameConfig } from './opRecords.ts';
import { parksUntilSpecChanges } from './configRefusal.ts';
import { unsettledOps } from './opIndex.ts';
import { completeOperation } from './serviceCompletion.ts';
import type { InFlight, OperationKind, ServiceOp } from './types.ts';

function operationFor(op: ServiceOp): OperationKind | null {
  switch (op.state) {
    case 'NotStarted':
      // A terminal park waits for a new spec; one an earlier version stored for an ARM code (or for
      // an egress identity, which has no spec) is re-armed at once.
      return (op.terminal === null || !parksUntilSpecChanges(op.kind, op.terminal.code)) && op.config !== null ? 'create' : null;
    case 'UpdateInProgress':
      return op.inFlight === null ? 'update' : null;
    case 'DeletionInProgress':
      return op.inFlight === null ? 'delete' : null;
    default:
      return null;
  }
}

/** Operations whose completion never came (a lost message) count as timed out, then retry. */
export function expireOperations(d: Draft): void {
  const limit = d.ctx.config.operationTimeoutMs;
  for (const op of unsettledOps(d.opsIndex, d.ops)) {
    if (op.inFlight && d.now - op.inFlight.startedAt >= limit) {
      completeOperation(d, op.name, op.inFlight.dispatchId, {
        result: 'failure',
        terminal: false,
        code: 'timeout',
        message: `no completion within ${Math.round(limit / 1000)} s`,
      });
    }
  }
}

/**
 * CheckPendingServiceDeletions: a service waiting for its addresses to drain moves on once no
 * mirrored address, and no address of the sync in flight, references it, and NRP was read once.
 */
export function checkPendingDeletions(d: Draft): void {
  const waiting = unsettledOps(d.opsIndex, d.ops).filter((op) => op.state === 'DeletionPending' && op.inFlight === null);
  // Before NRP was read once the mirror is empty, not drained: nothing may pass the gate on it.
  if (waiting.length === 0 || d.sync.nrpRead.state === 'unread') return;
  const referenced = d.sync.inFlight ? servicesReferencedBy(d.sync.inFlight.requests) : new Set<string>();
  for (const loc of d.mirrorLocations.values()) for (const services of loc.addresses.values()) for (const s of services) referenced.add(s);
  for (const op of waiting) {
    // A delete NRP refused (overlay mappings) waits out its backoff here: the mirror that let it
    // through was just found wrong, and the drain gate must be judged on the NRP read it asked for.
    const gate = op.retry.parkedUntil ?? op.retry.nextAt;
    if (gate !== null && gate > d.now) {
      d.wake(gate);
      continue;
    }
    if (!referenced.has(op.name)) putOp(d, op, fieldsOf(op), { state: 'DeletionInProgress', inFlight: null });
  }
}

export function dispatchDue(d: Draft): void {
  const { config } = d.ctx;
  // Only unsettled ops can be in flight or due; `due` is sorted, so their order does not matter.
  const unsettled = unsettledOps(d.opsIndex, d.ops);
  let running = 0;
  for (const op of unsettled) if (op.inFlight) running++;
  const due: ServiceOp[] = [];
  for (const op of unsettled) {
    const operation = operationFor(op);
    if (operation === null) continue;
    const { parkedUntil, nextAt } = op.retry;
    const gate = parkedUntil !== null ? parkedUntil : nextAt;
    if (gate !== null && gate > d.now) {
      d.wake(gate);
      continue;
    }
    due.push(op);
  }
  due.sort((a, b) => a.createdAt - b.createdAt || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const op of due) {
    const operation = operationFor(op);
    if (operation === null) continue;
    if (operation === 'update' && op.kind === 'outbound' && sameConfig(op.config, op.lastApplied)) {
      // The gateway already has these families (they only grow): nothing to PUT.
      d.observe({ kind: 'OutboundUpdateSkipped', serviceName: op.name });
      putOp(d, op, { ...fieldsOf(op), lastApplied: op.config, retry: FRESH_RETRY }, { state: 'Created', inFlight: null });
      continue;
    }
    if (running >= config.maxConcurrentOperations) continue;
    running++;
    // A parked op whose cooldown has passed is re-armed with a fresh burst of retries.
    const retry = op.retry.parkedUntil !== null ? FRESH_RETRY : op.retry;
    const dispatchId = d.nextId(`op:${op.name}`);
    const inFlight: InFlight = {
      dispatchId,
      operation,
      config: operation === 'delete' ? (op.lastApplied ?? op.config) : op.config,
      startedAt: d.now,
      attempt: retry.count + 1,
    };
    const fields = { ...fieldsOf(op), retry, dispatches: op.dispatches + 1 };
    if (operation === 'create') putOp(d, op, fields, { state: 'CreationInProgress', inFlight });
    else if (operation === 'update') putOp(d, op, fields, { state: 'UpdateInProgress', inFlight });
    else putOp(d, op, fields, { state: 'DeletionInProgress', inFlight });
    const command = {
      cluster: d.cluster,
      dispatchId,
      correlationId: op.correlationId,
      serviceName: op.name,
      serviceKind: op.kind,
      operation,
      config: inFlight.config,
      orphan: op.orphan,
      attempt: inFlight.attempt,
    };
    d.emit({ kind: 'DispatchServiceOperation', operation: command });
    d.observe({ kind: 'OperationDispatched', operation: command });
  }
  // Wake for the timeout of every operation still in flight, including the ones just dispatched
  // (and none that completed in this call).
  for (const op of unsettledOps(d.opsIndex, d.ops)) {
    if (op.inFlight) d.wake(op.inFlight.startedAt + config.operationTimeoutMs);
  }
}
