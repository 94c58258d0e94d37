// The engine sends a sync's trigger before it saves the sync (ADR 0005). A trigger that arrives
// before that save, here because the engine crashed between its send and its save, must not be
// taken for a stale redelivery: the sync would then wait for its timeout (10 minutes), since the
// engine's resend carries the same message id and duplicate detection drops it.
import '../../support/functionsCore.ts';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { EngineEvent } from '../../../shared/engine/types.ts';
import { node, service, slice, syncedEvents, uidOf } from '../../support/builders.ts';
import { startHarness } from '../../support/functionsHarness.ts';
import type { Harness } from '../../support/functionsHarness.ts';

const cluster = 'early';

describe('a locations trigger that arrives before the engine saved its sync', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.stop();
  });

  it('is put back for later, and the sync reaches NRP once the engine has saved it', async () => {
    const created: EngineEvent[] = [
      ...syncedEvents(),
      { kind: 'NodeUpserted', node: node('node-a', ['10.0.0.4']) },
      { kind: 'ServiceUpserted', service: service('web', { resourceVersion: '10' }) },
      { kind: 'EndpointSliceUpserted', slice: slice('web-1', uidOf('web'), [{ ip: '10.244.0.7', node: 'node-a' }], { resourceVersion: '11' }) },
    ];
    await h.sendEvents(cluster, created);
    await h.pump();
    assert.deepEqual([...(h.network.nrp.locations.get('10.0.0.4')?.keys() ?? [])], ['10.244.0.7']);

    // A new endpoint; the engine sends the sync's trigger and crashes before saving.
    await h.sendEvents(cluster, [{ kind: 'EndpointSliceUpserted', slice: slice('web-1', uidOf('web'), [{ ip: '10.244.0.7', node: 'node-a' }, { ip: '10.244.0.8', node: 'node-a' }], { resourceVersion: '12' }) }]);
    h.store.crash = 'beforeSave';
    assert.equal(await h.deliver('engine-events'), true);
    assert.equal(h.store.crash, null, 'the crash was not reached');
    assert.equal(h.broker.peekState('locations-sync').active, 1, 'the trigger went out before the crash');

    // The trigger runs first. The deferral is scheduled from the handler's clock: set it back so
    // that the put-back trigger is due at once rather than in 5 s.
    h.now = Date.now() - 5_000;
    assert.equal(await h.deliver('locations-sync'), true);
    assert.deepEqual([...(h.network.nrp.locations.get('10.0.0.4')?.keys() ?? [])], ['10.244.0.7'], 'nothing applied before the engine saved the sync');
    const waiting = h.broker.peekState('locations-sync');
    assert.equal(waiting.active + waiting.scheduled, 1, 'the trigger was dropped instead of put back');

    // The engine's batch comes back, is decided again and saved; its resent trigger is a duplicate.
    h.now = Date.now();
    await h.pump();
    assert.deepEqual([...(h.network.nrp.locations.get('10.0.0.4')?.keys() ?? [])].sort(), ['10.244.0.7', '10.244.0.8']);
    const { state } = await h.deps.store.load(cluster);
    assert.equal(state.sync.inFlight, null);
  });
});
