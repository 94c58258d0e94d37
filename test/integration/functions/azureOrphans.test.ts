// Azure orphans end to end (docs/adr/0013): the real functions (engine, serviceOps, locations and
// its backstop) over the AMQP test broker and Azurite, the production ARM adapter against the NRP
// simulator. What the engine tagged for its cluster and nothing wants is deleted through ordinary
// service operations; an untagged resource and another cluster's are left as they are; and a
// deleted Service keeps its finalizer until Azure holds nothing of it.
// First: the fake Functions core must be in place before a function module registers itself.
import '../../support/functionsCore.ts';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { NetworkManagementClient } from '@azure/arm-network';
import { dependencies } from '../../../functions/dependencies.ts';
import { requestObservations } from '../../../functions/locations.ts';
import type { EngineEvent, InboundConfig, OutboundConfig } from '../../../shared/engine/types.ts';
import { SERVICE_FINALIZER } from '../../../shared/engine/types.ts';
import { ALL_KINDS, node, service, uidOf } from '../../support/builders.ts';
import { createOp, inboundConfig, outboundConfig } from '../azure/armNetworkHarness.ts';
import { createInbound, newClient, unregister } from '../nrp/harness.ts';
import { startWorld } from '../../unit/telemetry/telemetryWorld.ts';
import type { TelemetryWorld } from '../../unit/telemetry/telemetryWorld.ts';

const HTTP = [{ protocol: 'TCP', port: 80, backendPort: 8080 }] as const;
type Obj = Record<string, unknown>;

/** Every kind listed, without the stand-in Azure listing of syncedEvents(): the real one must come. */
const listed = (snapshot: string): EngineEvent[] => ALL_KINDS.map((objectKind) => ({ kind: 'KubernetesSynced', objectKind, snapshot }));

describe('Azure orphans through the functions', () => {
  let w: TelemetryWorld;
  let arm: NetworkManagementClient;
  before(async () => {
    w = await startWorld();
    arm = newClient(w.sim);
  });
  after(async () => {
    await w.stop();
  });

  /** Built by the adapter for `cluster` (so tagged for it), then unregistered: left in Azure only,
   * as a create that failed after its PUTs, or a state that was lost, leaves it. */
  async function leftInAzure(cluster: string, config: InboundConfig | OutboundConfig): Promise<void> {
    assert.equal((await w.provider.executeServiceOperation({ ...createOp(config), cluster })).result, 'success');
    await arm.serviceGateways.updateServices(w.sim.resourceGroup, 'servicegateway', unregister(config.name, config.kind === 'inbound' ? 'Inbound' : 'Outbound'));
  }

  const names = (): { lbs: string[]; pips: string[]; nats: string[] } => {
    const s = w.sim.snapshot();
    return { lbs: s.loadBalancers.map((l) => l.name).sort(), pips: s.publicIPs.map((p) => p.name).sort(), nats: s.natGateways.map((n) => n.name).sort() };
  };

  it('the backstop deletes what is tagged for the cluster and wanted by nothing; untagged and other clusters\' resources survive', async () => {
    const m = w.fresh();
    await w.h.sendEvents('alpha', [...listed('1'), { kind: 'NodeUpserted', node: node('node-a', ['10.4.0.4']) }]);
    await w.h.pump();
    const orphan = uidOf('left-behind');
    const untagged = uidOf('customer');
    const foreign = uidOf('beta-web');
    await leftInAzure('alpha', inboundConfig(orphan, HTTP));
    await leftInAzure('alpha', outboundConfig('team-gone', ['IPv4']));
    await leftInAzure('beta', inboundConfig(foreign, HTTP));
    // Named as this engine names a Service's resources, but untagged.
    await createInbound(arm, w.sim, untagged);
    assert.deepEqual(names().lbs, [orphan, untagged, foreign].sort());

    // The periodic read (what the timer asks for, five minutes on) lists Azure; the engine deletes the orphans.
    w.h.now += 5 * 60_000;
    await requestObservations(await dependencies(), 'periodic read');
    await w.h.pump();
    assert.deepEqual(names(), { lbs: [untagged, foreign].sort(), pips: [`${untagged}-pip`, `${foreign}-pip`].sort(), nats: [] });
    // An operator sees each: a warning line and a counter, then the orphan delete counted as cleaned.
    const found = w.lines.filter((l) => l.line['msg'] === 'Azure orphan found');
    assert.deepEqual(found.map((l) => [l.level, l.line['serviceUid'] ?? l.line['egressIdentity']]).sort(), [['warn', orphan], ['warn', 'team-gone']].sort());
    assert.equal(await m.count('engine_azure_orphans_found_total', { service_type: 'inbound' }), 1);
    assert.equal(await m.count('engine_azure_orphans_found_total', { service_type: 'outbound' }), 1);
    assert.equal(await m.count('engine_orphaned_resources_cleaned_total'), 2);

    // Another read finds nothing more to delete.
    w.h.now += 5 * 60_000;
    await requestObservations(await dependencies(), 'periodic read');
    await w.h.pump();
    assert.equal(await m.count('engine_azure_orphans_found_total', { service_type: 'inbound' }), 1);
  });

  it('keeps a deleted Service\'s finalizer until Azure holds nothing of it', async () => {
    w.fresh();
    const uid = uidOf('gone-web');
    await leftInAzure('bravo', inboundConfig(uid, HTTP));
    // The load balancer's delete fails for a while: the finalizer must wait for it.
    w.sim.faults.arm({ operation: 'loadBalancers.delete', status: 500, times: 50 });
    const deleting = service('gone-web', { deleting: true, finalizers: [SERVICE_FINALIZER] });
    await w.h.sendEvents('bravo', [{ kind: 'ServiceUpserted', service: deleting, snapshot: '1' }, ...listed('1')]);
    await w.h.pump();
    const kinds = async (): Promise<string[]> => (await w.h.drain('k8s-actions')).map((msg) => ((msg.body as Obj)['action'] as { kind: string }).kind);
    assert.ok(!(await kinds()).includes('RemoveFinalizer'), 'released while its load balancer is still in Azure');
    assert.deepEqual(names().lbs.filter((n) => n === uid), [uid]);

    w.sim.faults.clear();
    w.h.now += 10 * 60_000;
    await w.h.sendEvents('bravo', [{ kind: 'Tick' }]);
    await w.h.pump();
    assert.ok((await kinds()).includes('RemoveFinalizer'), 'released once nothing of it is left');
    assert.deepEqual(names().lbs.filter((n) => n === uid), []);
    assert.deepEqual(names().pips.filter((n) => n === `${uid}-pip`), []);
  });
});
