// The orphan metric: a service NRP has but no Kubernetes object wants, found by the backstop's
// read of NRP and deleted by the engine. Its own world: the read would take any other case's
// services for orphans too.
// First: the fake Functions core must be in place before a function module registers itself.
import '../../support/functionsCore.ts';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dependencies } from '../../../functions/dependencies.ts';
import { requestObservations } from '../../../functions/locations.ts';
import { node, syncedEvents, uidOf } from '../../support/builders.ts';
import { createOp, inboundConfig } from '../../integration/azure/armNetworkHarness.ts';
import { startWorld } from './telemetryWorld.ts';
import type { TelemetryWorld } from './telemetryWorld.ts';

describe('orphan metrics', () => {
  let w: TelemetryWorld;
  before(async () => {
    w = await startWorld();
  });
  after(async () => {
    await w.stop();
  });

  it('counts a deleted orphan in engine_orphaned_resources_cleaned_total', async () => {
    const m = w.fresh();
    const orphan = uidOf('left-behind');
    // Built for this cluster (tagged for it): an orphan delete leaves another cluster's resources alone.
    const made = await w.provider.executeServiceOperation({ ...createOp(inboundConfig(orphan, [{ protocol: 'TCP', port: 80, backendPort: 8080 }])), cluster: 'alpha' });
    assert.equal(made.result, 'success');
    await w.h.sendEvents('alpha', [...syncedEvents(), { kind: 'NodeUpserted', node: node('node-a', ['10.4.0.4']) }]);
    await w.h.pump();
    assert.equal(await m.count('engine_orphaned_resources_cleaned_total'), 0);
    await requestObservations(await dependencies(), 'test');
    await w.h.pump();
    assert.equal(await m.count('engine_orphaned_resources_cleaned_total'), 1);
    assert.equal(w.sim.snapshot().services.some((s) => s.name === orphan), false);
  });
});
