// The debug endpoint's views of a cluster's state (debug.ts): each a list in one key order, so it
// can be served in pages, computed once per stored state and not per request. Here, not in
// shared/engine, because it formats times as ISO strings (the engine core touches no Date).
import { desiredLocations } from '../shared/engine/desired.ts';
import { diffLocations } from '../shared/engine/locationsDiff.ts';
import { byKey } from '../shared/engine/paging.ts';
import type { Keyed } from '../shared/engine/paging.ts';
import type { ClusterState } from '../shared/engine/types.ts';
import { linkedService } from '../shared/engine/sliceLinks.ts';
import { isReadyToSync, viewOf } from '../shared/engine/view.ts';

export type DebugView = 'services' | 'buffered' | 'locations' | 'actions';
export const DEBUG_VIEWS: readonly DebugView[] = ['services', 'buffered', 'locations', 'actions'];

/** What the locations view tells besides the mirror's addresses: the sync, and what it still has to send. */
export interface SyncSummary {
  readonly pendingChanges: number;
  readonly syncInFlight: { readonly syncId: string; readonly requests: number; readonly since: string } | null;
  readonly lastSyncStartedAt: string | null;
  readonly consecutiveFailures: number;
}

export interface DebugViews {
  readonly lists: Readonly<Record<DebugView, readonly Keyed<unknown>[]>>;
  readonly sync: SyncSummary;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function servicesList(state: ClusterState): Keyed<unknown>[] {
  return byKey(
    [...state.ops.values()].map((op) => ({
      key: op.name,
      item: {
        name: op.name,
        kind: op.kind,
        state: op.state,
        inFlight: op.inFlight ? { operation: op.inFlight.operation, since: iso(op.inFlight.startedAt), attempt: op.inFlight.attempt } : null,
        retry: op.retry,
        parked: op.state === 'NotStarted' && op.terminal ? { code: op.terminal.code, message: op.terminal.message } : op.retry.parkedUntil !== null ? { until: iso(op.retry.parkedUntil) } : null,
        recreateAfterDeletion: op.recreateAfterDeletion,
        registeredInNrp: state.nrp.services.get(op.name) ?? null,
        correlationId: op.correlationId,
        service: op.config?.kind === 'inbound' ? op.config.service : null,
      },
    })),
  );
}

/** Addresses waiting for a service that is not ready yet (what upstream calls buffers). */
function bufferedList(state: ClusterState): Keyed<unknown>[] {
  const view = viewOf(state);
  const waiting = new Map<string, { endpoints: number; pods: number }>();
  for (const s of state.kube.slices.values()) {
    const name = linkedService(view, s.fact);
    if (!name || !state.ops.has(name) || isReadyToSync(view, name, 'inbound')) continue;
    const w = waiting.get(name) ?? { endpoints: 0, pods: 0 };
    for (const ep of s.fact.endpoints) if (ep.ready !== false) w.endpoints += ep.addresses.length;
    waiting.set(name, w);
  }
  for (const p of state.kube.pods.values()) {
    const id = p.live ? p.registered?.identity : undefined;
    if (!id || !state.ops.has(id) || isReadyToSync(view, id, 'outbound')) continue;
    const w = waiting.get(id) ?? { endpoints: 0, pods: 0 };
    w.pods += p.registered?.addresses.length ?? 0;
    waiting.set(id, w);
  }
  return byKey([...waiting].map(([name, w]) => ({ key: name, item: { name, state: state.ops.get(name)?.state ?? null, ...w } })));
}

/**
 * The mirror one address per item, so a location of 10,000 addresses is paged like any other
 * list; a location with none is one item with address null.
 */
function mirrorList(state: ClusterState): Keyed<unknown>[] {
  const out: Keyed<unknown>[] = [];
  for (const [location, l] of state.nrp.locations) {
    if (l.addresses.size === 0) out.push({ key: JSON.stringify([location]), item: { location, certain: l.certain, address: null, services: [] } });
    for (const [address, services] of l.addresses) out.push({ key: JSON.stringify([location, address]), item: { location, certain: l.certain, address, services } });
  }
  return byKey(out);
}

/** The Kubernetes actions the engine keeps asking for because no fact confirmed them yet. */
function actionsList(state: ClusterState): Keyed<unknown>[] {
  return byKey([...state.asked].map(([key, a]) => ({ key, item: { key, attempts: a.attempts, askAgainAt: iso(a.nextAt), value: a.value, confirmedAt: a.confirmedAt === undefined ? null : iso(a.confirmedAt) } })));
}

function syncSummary(state: ClusterState): SyncSummary {
  const pending = diffLocations(desiredLocations(viewOf(state)), state.nrp.locations);
  const flight = state.sync.inFlight;
  return {
    pendingChanges: pending.reduce((n, u) => n + Math.max(1, u.addresses.length), 0),
    syncInFlight: flight ? { syncId: flight.syncId, requests: flight.requests.length, since: iso(flight.startedAt) } : null,
    lastSyncStartedAt: state.sync.lastStartedAt === null ? null : iso(state.sync.lastStartedAt),
    consecutiveFailures: state.sync.failures,
  };
}

export function debugViewsOf(state: ClusterState): DebugViews {
  return {
    lists: { services: servicesList(state), buffered: bufferedList(state), locations: mirrorList(state), actions: actionsList(state) },
    sync: syncSummary(state),
  };
}
