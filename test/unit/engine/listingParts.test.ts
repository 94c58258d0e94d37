// A listing of Azure as the events that carry it: message-sized parts, numbered from 0, the last
// one final, the same parts for the same listing whatever order Azure listed it in.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { listingParts } from '../../../shared/engine/listingParts.ts';
import type { ManagedResource } from '../../../shared/engine/types.ts';
import { CLUSTER, uidOf } from '../../support/builders.ts';

function pip(i: number): ManagedResource {
  const service = uidOf(`svc-${i}`);
  return { resourceType: 'publicIPAddress', name: `${service}-pip`, id: `/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/publicIPAddresses/${service}-pip`, cluster: CLUSTER, serviceKind: 'inbound', service };
}

describe('listingParts', () => {
  it('is one empty, final part for an empty listing (it still says nothing is left)', () => {
    assert.deepEqual(listingParts(3, [], 1_000), [{ kind: 'AzureResourcesObserved', nrpEpoch: 3, resources: [], part: 0, final: true }]);
  });

  it('cuts parts of at most maxChars of JSON, numbered from 0, only the last final, every resource once', () => {
    const resources = Array.from({ length: 40 }, (_, i) => pip(i));
    const size = JSON.stringify(resources[0]).length + 1;
    const parts = listingParts(7, resources, size * 6 + 1);
    assert.equal(parts.length, 7);
    assert.deepEqual(parts.map((p) => [p.part, p.final, p.nrpEpoch]), parts.map((_, i) => [i, i === 6, 7]));
    for (const p of parts) assert.ok(JSON.stringify(p.resources).length <= size * 6 + 1, `part ${p.part} is too large`);
    assert.deepEqual(parts.flatMap((p) => p.resources.map((r) => r.id)).sort(), resources.map((r) => r.id).sort());
  });

  it('makes the same parts whatever order the resources were listed in', () => {
    const resources = Array.from({ length: 10 }, (_, i) => pip(i));
    assert.deepEqual(listingParts(1, [...resources].reverse(), 2_000), listingParts(1, resources, 2_000));
  });
});
