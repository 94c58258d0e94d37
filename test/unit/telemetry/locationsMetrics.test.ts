// Address-location metrics and the gauges of the NRP mirror, each read after driving Kubernetes
// changes through the real handlers, the production ARM adapter and the NRP simulator.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { defaultEngineConfig } from '../../../shared/engine/config.ts';
import type { EngineEvent } from '../../../shared/engine/types.ts';
import { SERVICE_FINALIZER } from '../../../shared/engine/types.ts';
import { node, service, slice, syncedEvents, uidOf } from '../../support/builders.ts';
import { createWith, startWorld, webCluster } from './telemetryWorld.ts';
import type { TelemetryWorld } from './telemetryWorld.ts';

const config = { backoff: { ...defaultEngineConfig.backoff, baseMs: 3_600_000, capMs: 3_600_000, jitter: 0 } };

const sliceOf = (name: string, serviceName: string, ip: string, nodeName: string, resourceVersion: string): EngineEvent => ({
  kind: 'EndpointSliceUpserted',
  slice: slice(name, uidOf(serviceName), [{ ip, node: nodeName }], { resourceVersion }),
});

describe('locations metrics', () => {
  let w: TelemetryWorld;
  before(async () => {
    w = await startWorld({ config });
  });
  after(async () => {
    await w.stop();
  });

  it('counts a sync NRP acknowledged in engine_locations_sync_total{status=success}', async () => {
    const m = w.fresh();
    await createWith(w, 'loc-a', webCluster('loc-web-a', '10.2.0.4', '10.245.0.7'), 0);
    assert.equal(await m.count('engine_locations_sync_total', { status: 'success' }), 1);
    assert.equal(await m.count('engine_locations_sync_total', { status: 'failure' }), 0);
  });

  it('counts a sync NRP failed in engine_locations_sync_total{status=failure}', async () => {
    const m = w.fresh();
    w.sim.faults.arm({ operation: 'updateAddressLocations', status: 500, times: 1 });
    await createWith(w, 'loc-b', webCluster('loc-web-b', '10.2.1.4', '10.245.1.7'), 0);
    assert.equal(await m.count('engine_locations_sync_total', { status: 'failure' }), 1);
    assert.equal(await m.count('engine_locations_sync_total', { status: 'success' }), 0);
  });

  it('times a sync from its dispatch to its completion in engine_locations_sync_duration_seconds', async () => {
    const m = w.fresh();
    await w.h.sendEvents('loc-c', webCluster('loc-web-c', '10.2.2.4', '10.245.2.7'));
    await w.h.deliver('engine-events');
    await w.h.deliver('service-ops');
    await w.h.deliver('engine-events'); // the create completed: the sync starts
    w.h.now += 1_500;
    await w.h.deliver('locations-sync');
    await w.h.pump();
    assert.deepEqual(await m.histogram('engine_locations_sync_duration_seconds'), { count: 1, sum: 1.5 });
  });

  it('counts addresses by action in engine_location_addresses_synced{action=add|update|remove}', async () => {
    const m = w.fresh();
    const events: EngineEvent[] = [
      ...syncedEvents(),
      { kind: 'NodeUpserted', node: node('node-loc-d', ['10.2.3.4']) },
      { kind: 'ServiceUpserted', service: service('loc-x', { resourceVersion: '10' }) },
      { kind: 'ServiceUpserted', service: service('loc-y', { resourceVersion: '11' }) },
      sliceOf('loc-x-1', 'loc-x', '10.245.3.7', 'node-loc-d', '12'),
    ];
    await w.h.sendEvents('loc-d', events);
    await w.h.pump();
    assert.equal(await m.count('engine_location_addresses_synced', { action: 'add' }), 1);
    // The same pod becomes an endpoint of the second service too: its address is updated.
    await w.h.sendEvents('loc-d', [sliceOf('loc-y-1', 'loc-y', '10.245.3.7', 'node-loc-d', '13')]);
    await w.h.pump();
    assert.equal(await m.count('engine_location_addresses_synced', { action: 'update' }), 1);
    await w.h.sendEvents('loc-d', [
      { kind: 'ObjectDeleted', objectKind: 'EndpointSlice', namespace: 'default', name: 'loc-x-1', uid: uidOf('slice/loc-x-1'), resourceVersion: '14' },
      { kind: 'ObjectDeleted', objectKind: 'EndpointSlice', namespace: 'default', name: 'loc-y-1', uid: uidOf('slice/loc-y-1'), resourceVersion: '15' },
    ]);
    await w.h.pump();
    assert.equal(await m.count('engine_location_addresses_synced', { action: 'remove' }), 1);
    assert.equal(await m.count('engine_location_addresses_synced', { action: 'add' }), 1);
  });

  it('reports the mirror\'s locations in engine_locations_total{cluster}', async () => {
    const m = w.fresh();
    await createWith(w, 'loc-e', webCluster('loc-web-e', '10.2.4.4', '10.245.4.7'), 0);
    assert.equal(await m.value('engine_locations_total', { cluster: 'loc-e' }), 1);
  });

  it('reports the mirror\'s addresses in engine_addresses_total{cluster}', async () => {
    const m = w.fresh();
    const events: EngineEvent[] = [
      ...webCluster('loc-web-f', '10.2.5.4', '10.245.5.7'),
      { kind: 'EndpointSliceUpserted', slice: slice('loc-web-f-1', uidOf('loc-web-f'), [{ ip: ['10.245.5.7'], node: 'node-loc-web-f' }, { ip: ['10.245.5.8'], node: 'node-loc-web-f' }], { resourceVersion: '12' }) },
    ];
    await createWith(w, 'loc-f', events, 0);
    assert.equal(await m.value('engine_addresses_total', { cluster: 'loc-f' }), 2);
  });

  it('reports a deleted service whose addresses still reference it in engine_services_blocked_by_locations{cluster}', async () => {
    const m = w.fresh();
    await createWith(w, 'loc-g', webCluster('loc-web-g', '10.2.6.4', '10.245.6.7'), 0);
    assert.equal(await m.value('engine_services_blocked_by_locations', { cluster: 'loc-g' }), 0);
    await w.h.sendEvents('loc-g', [{ kind: 'ServiceUpserted', service: service('loc-web-g', { resourceVersion: '20', deleting: true, finalizers: [SERVICE_FINALIZER] }) }]);
    await w.h.deliver('engine-events');
    assert.equal(await m.value('engine_services_blocked_by_locations', { cluster: 'loc-g' }), 1);
    await w.h.pump();
    assert.equal(await m.value('engine_services_blocked_by_locations', { cluster: 'loc-g' }), 0);
  });

  it('measures from an endpoint change to NRP acknowledging its sync in engine_event_to_nrp_latency_seconds{operation=updateAddressLocations}', async () => {
    await createWith(w, 'loc-h', webCluster('loc-web-h', '10.2.7.4', '10.245.7.7'), 0);
    const m = w.fresh();
    await w.h.sendEvents('loc-h', [sliceOf('loc-web-h-1', 'loc-web-h', '10.245.7.9', 'node-loc-web-h', '30')]);
    await w.h.deliver('engine-events');
    w.h.now += 1_200;
    await w.h.pump();
    assert.deepEqual(await m.histogram('engine_event_to_nrp_latency_seconds', { operation: 'updateAddressLocations' }), { count: 1, sum: 1.2 });
  });

  it('counts an endpoint on a node the engine does not know in engine_rejected_inputs_total{reason}', async () => {
    const m = w.fresh();
    await w.h.sendEvents('loc-i', [
      ...webCluster('loc-web-i', '10.2.8.4', '10.245.8.7'),
      sliceOf('loc-web-i-2', 'loc-web-i', '10.245.8.8', 'node-nowhere', '12'),
    ]);
    await w.h.pump();
    assert.equal(await m.count('engine_rejected_inputs_total', { reason: 'UnknownNode' }), 1);
    assert.equal(await m.count('engine_rejected_inputs_total', { reason: 'BadIp' }), 0);
  });
});
