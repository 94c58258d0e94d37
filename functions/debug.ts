// debug: read-only views of a cluster's engine state, in pages, for the clusters this app serves
// (ENGINE_CLUSTERS) only; they answer "why has my Service no IP yet?". Entra ID (App Service
// authentication) in front, function keys (authLevel 'function') as the fallback: docs/runbook.md.
import { app } from '@azure/functions';
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { DEBUG_VIEWS } from './debugViews.ts';
import type { DebugView } from './debugViews.ts';
import { pageAfter } from '../shared/engine/paging.ts';
import { CLUSTER_PATTERN } from '../shared/messages/fieldSchemas.ts';
import { DebugViewCache } from './debugCache.ts';
import { continuationToken, pageRequest } from './debugRequest.ts';
import { dependencies } from './dependencies.ts';
import { invocationLog } from './invocationLog.ts';

const cache = new DebugViewCache();

function isDebugView(v: string | undefined): v is DebugView {
  return DEBUG_VIEWS.some((d) => d === v);
}

export async function debugHandler(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const view = request.params.view;
  if (!isDebugView(view)) return { status: 404, jsonBody: { error: `unknown view; one of ${DEBUG_VIEWS.join(', ')}` } };
  const cluster = request.query.get('cluster');
  if (!cluster || !CLUSTER_PATTERN.test(cluster)) return { status: 400, jsonBody: { error: 'query parameter cluster is required (a cluster name)' } };
  const page = pageRequest(view, request.query);
  if (!page.ok) return { status: 400, jsonBody: { error: page.reason } };
  const deps = await dependencies();
  const log = invocationLog(deps, context, { cluster });
  // Before anything is read: a name in the URL must not make the app read a partition it does not serve.
  if (!deps.clusters.includes(cluster)) {
    log.warn('debug view refused: cluster not served', { view });
    return { status: 404, jsonBody: { error: `cluster ${cluster} is not served by this app (ENGINE_CLUSTERS)` } };
  }
  const views = await cache.viewsOf(deps.store, cluster);
  const list = views.lists[view];
  const { items, lastKey } = pageAfter(list, page.after, page.limit);
  log.info('debug view served', { view, items: items.length });
  const body = view === 'locations' ? { mirror: items, ...views.sync } : items;
  const continuation = lastKey === null ? null : continuationToken(view, lastKey);
  return { status: 200, jsonBody: { cluster, view, limit: page.limit, total: list.length, continuation, [view]: body } };
}

app.http('debug', {
  methods: ['GET'],
  authLevel: 'function',
  route: 'debug/difftracker/{view}',
  handler: debugHandler,
});
