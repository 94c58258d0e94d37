// debug: read-only views of a cluster's engine state, straight from the store. Function keys
// protect them (authLevel 'function'); they answer "why has my Service no IP yet?".
import { app } from '@azure/functions';
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { desiredLocations } from '../shared/engine/desired.ts';
import { diffLocations } from '../shared/engine/locationsDiff.ts';
import type { ClusterState } from '../shared/engine/types.ts';
import { isReadyToSync, viewOf } from '../shared/engine/view.ts';
import { CLUSTER_PATTERN } from '../shared/messages/fieldSchemas.ts';
import { dependencies } from './dependencies.ts';
import { invocationLog } from './invocationLog.ts';

export type DebugView = 'services' | 'buffered' | 'locations' | 'actions';
const VIEWS: readonly DebugView[] = ['services', 'buffered', 'locations', 'actions'];

function servicesView(state: ClusterState): unknown {
  return [...state.ops.values()]
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .map((op) => ({
      name: op.name,
      kind: op.kind,
      state: op.state,
      inFlight: op.inFlight ? { operation: op.inFlight.operation, since: new Date(op.inFlight.startedAt).toISOString(), attempt: op.inFlight.attempt } : null,
      retry: op.retry,
      parked: op.state === 'NotStarted' && op.terminal ? { code: op.terminal.code, message: op.terminal.message } : op.retry.parkedUntil !== null ? { until: new Date(op.retry.parkedUntil).toISOString() } : null,
      recreateAfterDeletion: op.recreateAfterDeletion,
      registeredInNrp: state.nrp.services.get(op.name) ?? null,
      correlationId: op.correlationId,
      service: op.config?.kind === 'inbound' ? op.config.service : null,
    }));
}

/** Addresses waiting for a service that is not ready yet (what upstream calls buffers). */
function bufferedView(state: ClusterState): unknown {
  const view = viewOf(state);
  const waiting = new Map<string, { endpoints: number; pods: number }>();
  for (const s of state.kube.slices.values()) {
    const name = s.fact.serviceUid?.toLowerCase();
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
  return [...waiting].map(([name, w]) => ({ name, state: state.ops.get(name)?.state ?? null, ...w }));
}

function locationsView(state: ClusterState): unknown {
  const pending = diffLocations(desiredLocations(viewOf(state)), state.nrp.locations);
  return {
    mirror: [...state.nrp.locations].map(([location, l]) => ({ location, certain: l.certain, addresses: [...l.addresses].map(([address, services]) => ({ address, services })) })),
    pendingChanges: pending.reduce((n, u) => n + Math.max(1, u.addresses.length), 0),
    syncInFlight: state.sync.inFlight ? { syncId: state.sync.inFlight.syncId, requests: state.sync.inFlight.requests.length, since: new Date(state.sync.inFlight.startedAt).toISOString() } : null,
    lastSyncStartedAt: state.sync.lastStartedAt === null ? null : new Date(state.sync.lastStartedAt).toISOString(),
    consecutiveFailures: state.sync.failures,
  };
}

/** The Kubernetes actions the engine keeps asking for because no fact confirmed them yet, and the
 * confirmed status asks it still remembers (`confirmedAt`): undone, they are asked with backoff. */
function actionsView(state: ClusterState): unknown {
  return [...state.asked]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([key, a]) => ({
      key,
      attempts: a.attempts,
      askAgainAt: new Date(a.nextAt).toISOString(),
      value: a.value,
      confirmedAt: a.confirmedAt === undefined ? null : new Date(a.confirmedAt).toISOString(),
    }));
}

const viewsOf: Record<DebugView, (state: ClusterState) => unknown> = {
  services: servicesView,
  buffered: bufferedView,
  locations: locationsView,
  actions: actionsView,
};

export async function debugHandler(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const view = request.params.view as DebugView | undefined;
  if (!view || !VIEWS.includes(view)) return { status: 404, jsonBody: { error: `unknown view; one of ${VIEWS.join(', ')}` } };
  const cluster = request.query.get('cluster');
  if (!cluster || !CLUSTER_PATTERN.test(cluster)) return { status: 400, jsonBody: { error: 'query parameter cluster is required (a cluster name)' } };
  const deps = await dependencies();
  const { state } = await deps.store.load(cluster);
  invocationLog(deps, context, { cluster }).info('debug view served', { view });
  const body = viewsOf[view](state);
  return { status: 200, jsonBody: { cluster, view, [view]: body } };
}

app.http('debug', {
  methods: ['GET'],
  authLevel: 'function',
  route: 'debug/difftracker/{view}',
  handler: debugHandler,
});
