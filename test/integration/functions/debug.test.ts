// The debug endpoint against Azurite: only the clusters in ENGINE_CLUSTERS, every list in pages
// of at most `limit` with an opaque continuation, and views kept per stored-state stamp so a
// request on an unchanged state loads nothing.
// First: the fake Functions core must be in place before any function module registers itself.
import { registered } from '../../support/functionsCore.ts';
import assert from 'node:assert/strict';
import azf from '@azure/functions';
import fc from 'fast-check';
import { after, before, describe, it } from 'node:test';
import type { ClusterState, ServiceOp } from '../../../shared/engine/types.ts';
import type { StateStore } from '../../../shared/state/stateStore.ts';
import { configureDependencies } from '../../../functions/dependencies.ts';
import { service, uidOf, webCluster } from '../../support/builders.ts';
import { startHarness } from '../../support/functionsHarness.ts';
import type { Harness } from '../../support/functionsHarness.ts';
import { richState, withMirror } from '../state/states.ts';

const { HttpRequest, InvocationContext } = azf;

type Reply = { status: number; jsonBody: Record<string, unknown> };
type Page = { items: unknown[]; continuation: string | null; status: number; body: Record<string, unknown> };

/** The store the functions use, counting what the debug endpoint reads. */
class CountingStore implements StateStore {
  loads = 0;
  stamps = 0;
  readonly inner: StateStore;
  constructor(inner: StateStore) {
    this.inner = inner;
  }
  load(...args: Parameters<StateStore['load']>): ReturnType<StateStore['load']> {
    this.loads++;
    return this.inner.load(...args);
  }
  save(...args: Parameters<StateStore['save']>): ReturnType<StateStore['save']> {
    return this.inner.save(...args);
  }
  stamp(...args: Parameters<StateStore['stamp']>): ReturnType<StateStore['stamp']> {
    this.stamps++;
    return this.inner.stamp(...args);
  }
}

/** richState with `n` ops and asks besides its own, and a 400-address mirror: every list spans pages. */
function bigState(cluster: string, n: number): ClusterState {
  const base = withMirror({ ...richState(), cluster }, 40, 10);
  const op = [...base.ops.values()][0] as ServiceOp;
  const ask = [...base.asked.values()][0];
  assert.ok(ask);
  const ops = new Map(base.ops);
  const asked = new Map(base.asked);
  for (let i = 0; i < n; i++) {
    const name = `op-${String(i).padStart(3, '0')}`;
    ops.set(name, { ...op, name });
    asked.set(`Status/${name}`, ask);
  }
  return { ...base, ops, asked };
}

describe('debug endpoint', () => {
  let h: Harness;
  let store: CountingStore;
  const served = ['served-a', 'served-big'];
  const call = async (view: string, query: string): Promise<Reply> => {
    const fn = registered.get('debug')?.handler;
    assert.ok(fn);
    return (await fn(new HttpRequest({ method: 'GET', url: `http://localhost/api/debug/difftracker/${view}${query}`, params: { view } }), new InvocationContext())) as Reply;
  };
  const page = async (view: string, cluster: string, limit: number | null, continuation: string | null): Promise<Page> => {
    const q = new URLSearchParams({ cluster });
    if (limit !== null) q.set('limit', String(limit));
    if (continuation !== null) q.set('continuation', continuation);
    const r = await call(view, `?${q.toString()}`);
    const body = r.jsonBody;
    const raw = body[view];
    const items = (view === 'locations' ? (raw as { mirror: unknown[] } | undefined)?.mirror : (raw as unknown[] | undefined)) ?? [];
    return { items, continuation: (body.continuation as string | null | undefined) ?? null, status: r.status, body };
  };
  const everyPage = async (view: string, cluster: string, limit: number): Promise<unknown[][]> => {
    const pages: unknown[][] = [];
    let token: string | null = null;
    do {
      const p: Page = await page(view, cluster, limit, token);
      assert.equal(p.status, 200, JSON.stringify(p.body));
      pages.push(p.items);
      token = p.continuation;
      assert.ok(pages.length <= 1_000, 'paging ends');
    } while (token !== null);
    return pages;
  };

  before(async () => {
    h = await startHarness();
    store = new CountingStore(h.deps.store);
    configureDependencies(() => Promise.resolve({ ...h.deps, store, clusters: served }));
    await h.sendEvents('served-a', webCluster());
    await h.sendEvents('not-served', webCluster());
    await h.pump();
    const big = bigState('served-big', 250);
    await h.deps.store.save(await h.deps.store.load('served-big'), big);
  });
  after(async () => {
    await h.stop();
  });

  it('serves the views of a served cluster from the store, and refuses bad requests', async () => {
    const services = await call('services', '?cluster=served-a');
    assert.equal(services.status, 200);
    assert.deepEqual((services.jsonBody.services as { name: string; state: string }[]).map((s) => [s.name, s.state]), [[uidOf('web'), 'Created']]);
    assert.equal(services.jsonBody.continuation, null);
    const locations = await call('locations', '?cluster=served-a');
    assert.equal((locations.jsonBody.locations as { pendingChanges: number }).pendingChanges, 0);
    assert.deepEqual((locations.jsonBody.locations as { mirror: unknown[] }).mirror, [{ location: '10.0.0.4', certain: true, address: '10.244.0.7', services: [uidOf('web')] }]);
    assert.deepEqual((await call('buffered', '?cluster=served-a')).jsonBody.buffered, []);
    // Nothing applies k8s-actions here, so the ingress IP is still asked for.
    const actions = await call('actions', '?cluster=served-a');
    assert.deepEqual((actions.jsonBody.actions as { key: string; attempts: number }[]).map((a) => [a.key, a.attempts]), [[`Status/${uidOf('web')}`, 1]]);
    assert.equal((await call('services', '')).status, 400);
    assert.equal((await call('nope', '?cluster=served-a')).status, 404);
  });

  it('answers 404 with a reason for a cluster not in ENGINE_CLUSTERS, and reads nothing of it', async () => {
    assert.ok((await h.deps.store.load('not-served')).state.ops.size > 0, 'the cluster has state');
    const [loads, stamps] = [store.loads, store.stamps];
    for (const view of ['services', 'buffered', 'locations', 'actions']) {
      const r = await call(view, '?cluster=not-served');
      assert.equal(r.status, 404, view);
      assert.match(String(r.jsonBody.error), /not-served is not served by this app \(ENGINE_CLUSTERS\)/);
      assert.equal(r.jsonBody[view], undefined);
    }
    assert.deepEqual([store.loads - loads, store.stamps - stamps], [0, 0]);
  });

  it('serves every item of every list exactly once across pages, in key order, no page above the limit', async () => {
    const full = new Map<string, unknown[]>();
    for (const view of ['services', 'locations', 'actions', 'buffered']) full.set(view, (await everyPage(view, 'served-big', 1_000)).flat());
    assert.ok((full.get('services')?.length ?? 0) > 250 && (full.get('locations')?.length ?? 0) >= 400 && (full.get('actions')?.length ?? 0) > 250);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('services', 'locations', 'actions', 'buffered'), fc.integer({ min: 1, max: 120 }), async (view, limit) => {
        const pages = await everyPage(view, 'served-big', limit);
        for (const p of pages) assert.ok(p.length <= limit, `a page of ${p.length} with limit ${limit}`);
        assert.deepEqual(pages.flat(), full.get(view));
      }),
      { numRuns: 25 },
    );
    const first = await page('services', 'served-big', null, null);
    assert.equal(first.items.length, 100, 'the default limit');
    assert.equal(first.body.total, full.get('services')?.length);
  });

  it('refuses a bad limit or a tampered continuation with 400 and a reason', async () => {
    for (const limit of ['0', '-1', '1001', '1.5', 'ten', '', '01', '99999']) {
      const r = await call('services', `?cluster=served-big&limit=${encodeURIComponent(limit)}`);
      assert.equal(r.status, 400, `limit=${limit}`);
      assert.match(String(r.jsonBody.error), /limit must be a whole number from 1 to 1000/);
    }
    assert.equal((await call('services', '?cluster=served-big&limit=1000')).status, 200);
    const token = (await page('services', 'served-big', 5, null)).continuation ?? '';
    const other = (await page('actions', 'served-big', 5, null)).continuation ?? '';
    const flipped = `${token.slice(0, -2)}${token.at(-2) === 'A' ? 'B' : 'A'}${token.at(-1) ?? ''}`;
    for (const bad of [flipped, `${token}=`, `${token}x`, 'not a token', '', other, Buffer.from('{"view":"services","after":1}').toString('base64url'), 'A'.repeat(5_000)]) {
      const r = await call('services', `?cluster=served-big&limit=5&continuation=${encodeURIComponent(bad)}`);
      assert.equal(r.status, 400, `continuation=${bad.slice(0, 40)}`);
      assert.match(String(r.jsonBody.error), /continuation is not a token this endpoint gave for the services view/);
    }
    assert.equal((await call('services', `?cluster=served-big&limit=5&continuation=${token}`)).status, 200);
  });

  it('reads only the stamp while the state is unchanged, and loads once after a save', async () => {
    await call('locations', '?cluster=served-a');
    const loads = store.loads;
    for (const view of ['locations', 'services', 'locations', 'actions']) assert.equal((await call(view, '?cluster=served-a')).status, 200);
    assert.equal(store.loads - loads, 0, 'no load while the stamp is unchanged');
    // The engine saves (a new Service): the next request loads once, and shows it.
    await h.sendEvents('served-a', [{ kind: 'ServiceUpserted', service: service('api', { resourceVersion: '20' }) }]);
    await h.pump();
    const before = store.loads;
    const services = await call('services', '?cluster=served-a');
    await call('locations', '?cluster=served-a');
    assert.equal(store.loads - before, 1);
    assert.ok((services.jsonBody.services as { name: string }[]).some((s) => s.name === uidOf('api')));
  });
});
