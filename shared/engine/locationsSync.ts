// The LocationsUpdater (reference §4) as a pure pass: one sync in flight per cluster, changes
// coalesced over a sync window, the diff cut into bounded requests, and the mirror updated only
// from what NRP acknowledged.
import { backoffDelayMs } from './backoff.ts';
import { desiredLocations } from './desired.ts';
import type { Draft } from './draft.ts';
import { applyAcknowledged, applyUncertain, countChanges, diffLocations, toBatches } from './locationsDiff.ts';
import { unsettledOps } from './opIndex.ts';
import type { KubeObjectKind, LocationsRequest, SyncFailure } from './types.ts';

export const ALL_KINDS: readonly KubeObjectKind[] = ['Service', 'EndpointSlice', 'Node', 'Pod'];

/** FNV-1a over the JSON: enough to recognise the very batch NRP rejected before. */
export function fingerprint(requests: readonly LocationsRequest[]): string {
  const text = JSON.stringify(requests);
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return `${h.toString(16)}:${text.length}`;
}

function drainPending(d: Draft): boolean {
  for (const op of unsettledOps(d.opsIndex, d.ops)) if (op.state === 'DeletionPending') return true;
  for (const p of d.kubePods.values()) if (p.registered && (p.fact.deleting || p.fact.phase === 'Succeeded' || p.fact.phase === 'Failed')) return true;
  return false;
}

export function completeSync(d: Draft, syncId: string, applied: number, failure: SyncFailure | null): void {
  const flight = d.sync.inFlight;
  if (!flight || flight.syncId !== syncId) {
    d.observe({ kind: 'CompletionIgnored', id: syncId, reason: 'unknownSync' });
    return;
  }
  const acknowledged = Math.max(0, Math.min(flight.requests.length, Math.floor(applied)));
  if (acknowledged > 0 || (failure?.outcomeUnknown ?? false)) {
    const mirror = d.mirrorLocationsW();
    for (const r of flight.requests.slice(0, acknowledged)) applyAcknowledged(mirror, r);
    const unknown = flight.requests[acknowledged];
    if (failure?.outcomeUnknown && unknown) applyUncertain(mirror, unknown);
  }
  d.nrpEpoch += 1;
  d.observe({
    kind: 'LocationsSyncFinished',
    syncId,
    status: failure ? 'failure' : 'success',
    durationMs: d.now - flight.startedAt,
    errorCode: failure?.code ?? null,
    terminal: failure?.terminal ?? false,
  });
  if (failure) {
    const failures = d.sync.failures + 1;
    d.sync = {
      ...d.sync,
      inFlight: null,
      failures,
      nextAttemptAt: d.now + backoffDelayMs(failures, d.ctx.config.backoff, d.ctx.random),
      rejectedFingerprint: failure.terminal ? fingerprint(flight.requests.slice(acknowledged)) : null,
      dirty: true,
    };
  } else {
    d.sync = { ...d.sync, inFlight: null, failures: 0, nextAttemptAt: null, rejectedFingerprint: null, dirty: true };
  }
  d.releaseCheckAll = true;
}

/** A sync whose result never came may or may not have been applied, request by request. */
export function expireSync(d: Draft): void {
  const flight = d.sync.inFlight;
  if (!flight) return;
  const deadline = flight.startedAt + d.ctx.config.operationTimeoutMs;
  if (d.now < deadline) {
    d.wake(deadline);
    return;
  }
  const mirror = d.mirrorLocationsW();
  for (const r of flight.requests) applyUncertain(mirror, r);
  completeSync(d, flight.syncId, 0, { terminal: false, outcomeUnknown: false, code: 'timeout', message: 'no sync result in time' });
}

/** Asks for a read of NRP, again if the last request went unanswered for an operation timeout. */
function requestFirstRead(d: Draft, requestedAt: number | null): void {
  const timeout = d.ctx.config.operationTimeoutMs;
  if (requestedAt !== null && d.now < requestedAt + timeout) {
    d.wake(requestedAt + timeout);
    return;
  }
  d.emit({ kind: 'ObserveNrp', reason: 'first read: the mirror is not NRP yet' });
  d.sync = { ...d.sync, nrpRead: { state: 'unread', requestedAt: d.now } };
  d.wake(d.now + timeout);
}

export function planLocationsSync(d: Draft): void {
  const sync = d.sync;
  if (sync.nrpRead.state === 'unread') {
    requestFirstRead(d, sync.nrpRead.requestedAt);
    return;
  }
  if (sync.inFlight) return;
  // Until every kind has been listed once, absence means "not heard yet", never "remove".
  if (!ALL_KINDS.every((k) => d.kubeSynced.has(k))) return;
  if (!sync.dirty && sync.nextAttemptAt === null) return;
  const { config } = d.ctx;
  const notBefore = Math.max(sync.nextAttemptAt ?? 0, sync.lastStartedAt === null ? 0 : sync.lastStartedAt + config.locationsSyncIntervalMs);
  if (d.now < notBefore) {
    d.wake(notBefore);
    return;
  }
  const updates = diffLocations(desiredLocations(d), d.mirrorLocations);
  if (updates.length === 0) {
    d.sync = { ...sync, dirty: false, nextAttemptAt: null };
    return;
  }
  const requests = toBatches(updates, config.maxAddressesPerRequest);
  if (sync.rejectedFingerprint !== null && sync.rejectedFingerprint === fingerprint(requests) && !drainPending(d)) {
    // NRP refused exactly this batch as invalid; wait for the cluster to change it.
    d.sync = { ...sync, dirty: false, nextAttemptAt: null };
    return;
  }
  const syncId = d.nextId('sync');
  d.sync = { ...sync, inFlight: { syncId, requests, startedAt: d.now }, lastStartedAt: d.now, dirty: false, nextAttemptAt: null };
  d.emit({ kind: 'SyncLocations', sync: { cluster: d.cluster, syncId, requests } });
  d.observe({ kind: 'LocationsSyncDispatched', syncId, requests: requests.length, ...countChanges(updates, d.mirrorLocations) });
  d.wake(d.now + config.operationTimeoutMs);
}
