// The table of RBAC actions (shared/azure/armActions.ts) against what the adapter really sends: every
// flow of ArmNetworkProvider runs against the NRP simulator (with the Service Gateway's POSTs
// answered 200, and answered 202 with both polling headers or with Location only), every request its client sends is named as nrpOperation.ts names
// it, and the names seen must be exactly the table's. A call the table lacks would be a 403 in
// Azure; an entry no call needs is an action the engine's custom role holds for nothing.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import { NRP_OPERATION_ACTIONS } from '../../../shared/azure/armActions.ts';
import { nrpOperationOf } from '../../../shared/azure/nrpOperation.ts';
import type { OperationOutcome } from '../../../shared/engine/types.ts';
import { createOp, deleteOp, inboundConfig, outboundConfig, startWorld, stopAll, updateOp } from './armNetworkHarness.ts';
import type { World } from './armNetworkHarness.ts';

after(stopAll);

const UID = '6f1c2d3e-0000-4000-8000-0000000000a1';
const EGRESS = 'team-egress';
const PORTS = [{ protocol: 'TCP', port: 80, backendPort: 8080 }] as const;

function succeeded(outcome: OperationOutcome): void {
  assert.equal(outcome.result, 'success', outcome.result === 'failure' ? `${outcome.code}: ${outcome.message}` : '');
}

/** Every method of the port, every branch that sends something of its own. */
async function everyFlow(w: World): Promise<void> {
  const p = w.provider;
  succeeded(await p.executeServiceOperation(createOp(inboundConfig(UID, PORTS))));
  succeeded(await p.executeServiceOperation(updateOp(inboundConfig(UID, [...PORTS, { protocol: 'UDP', port: 53, backendPort: 5353 }]))));
  succeeded(await p.executeServiceOperation(createOp(outboundConfig(EGRESS, ['IPv4']))));
  succeeded(await p.executeServiceOperation(updateOp(outboundConfig(EGRESS, ['IPv4', 'IPv6']))));
  await p.updateAddressLocations({
    action: 'PartialUpdate',
    addressLocations: [{ addressLocation: '10.224.0.4', addressUpdateAction: 'FullUpdate', addresses: [{ address: '10.244.1.5', services: [UID, EGRESS] }] }],
  });
  await p.listServices();
  await p.listAddressLocations();
  await p.listManagedResources('aks-contract');
  await p.updateAddressLocations({ action: 'PartialUpdate', addressLocations: [{ addressLocation: '10.224.0.4', addressUpdateAction: 'FullUpdate', addresses: [] }] });
  succeeded(await p.executeServiceOperation({ ...deleteOp('inbound', UID), orphan: true }));
  succeeded(await p.executeServiceOperation(deleteOp('outbound', EGRESS)));
}

/** NRP's 202s as some operations answer them: with Location only, so the poll is an operationResults GET. */
const locationOnly: PipelinePolicy = {
  name: 'locationOnly',
  async sendRequest(request, next) {
    const response = await next(request);
    if (response.status === 202 && response.headers.has('location')) response.headers.delete('azure-asyncoperation');
    return response;
  },
};

function operationsSent(w: World): Set<string> {
  return new Set(w.sent.map((r) => nrpOperationOf(r.method, `http://nrp${r.path}`)));
}

describe('the RBAC actions of shared/azure/armActions.ts against the calls the adapter makes', () => {
  it('names exactly the NRP operations the adapter sends, polls included', async () => {
    const seen = new Set<string>();
    for (const [syncPostStatus, policies] of [[200, []], [202, []], [202, [locationOnly]]] as const) {
      const w = await startWorld({ syncPostStatus }, policies);
      await everyFlow(w);
      assert.deepEqual(w.sim.snapshot().services, [], 'every flow ran to its end');
      for (const op of operationsSent(w)) seen.add(op);
    }
    assert.ok(!seen.has('other'), 'every request is an operation nrpOperation.ts names');
    assert.deepEqual([...seen].sort(), Object.keys(NRP_OPERATION_ACTIONS).sort());
  });
});
