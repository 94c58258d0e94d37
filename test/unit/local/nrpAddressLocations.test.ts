// The NRP simulator's updateAddressLocations on its store, without HTTP: when a location is deleted.
// NRP's contract (the SDK's doc comment, reference §5): "location-level partial update with no
// address deletes it; address-level partial update with no services deletes it". Nothing else
// deletes a location, so the simulator cannot hide an engine that leaves emptied locations behind.
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { addressLocationsView, updateAddressLocations } from '../../../local/sim/nrp/serviceGateway.ts';
import { NrpStore } from '../../../local/sim/nrp/store.ts';
import { resolveOptions } from '../../../local/sim/nrp/types.ts';

const WEB = 'a3f0c2d4-0000-4000-8000-00000000000a';

interface Location {
  readonly addressLocation: string;
  readonly addressUpdateAction?: 'FullUpdate' | 'PartialUpdate';
  readonly addresses?: readonly { readonly address: string; readonly services: readonly string[] }[] | null;
}

function update(store: NrpStore, ...addressLocations: Location[]): void {
  updateAddressLocations(store, { action: 'PartialUpdate', addressLocations });
}

function held(store: NrpStore): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [loc, addresses] of store.locations) out[loc] = [...addresses.keys()].sort();
  return out;
}

describe('NRP simulator: updateAddressLocations deletes a location only when sent with no address', () => {
  let store: NrpStore;

  beforeEach(() => {
    store = new NrpStore(resolveOptions({ subscriptionId: 'sub', resourceGroup: 'rg', location: 'westeurope' }));
    store.services.set(WEB, { name: WEB, type: 'Inbound', isDefault: false, pools: [], natGatewayId: null });
    update(
      store,
      { addressLocation: '10.0.0.4', addressUpdateAction: 'FullUpdate', addresses: [{ address: '10.244.0.7', services: [WEB] }, { address: '10.244.0.8', services: [WEB] }] },
      { addressLocation: '10.0.0.5', addressUpdateAction: 'FullUpdate', addresses: [{ address: '10.244.1.7', services: [WEB] }] },
    );
  });

  const deletions: readonly { readonly name: string; readonly location: Location }[] = [
    { name: 'an empty address list', location: { addressLocation: '10.0.0.4', addressUpdateAction: 'PartialUpdate', addresses: [] } },
    { name: 'a null address list', location: { addressLocation: '10.0.0.4', addressUpdateAction: 'PartialUpdate', addresses: null } },
    { name: 'no address list', location: { addressLocation: '10.0.0.4', addressUpdateAction: 'PartialUpdate' } },
    { name: 'no action and an empty address list (PartialUpdate is the default)', location: { addressLocation: '10.0.0.4', addresses: [] } },
  ];
  for (const c of deletions) {
    it(`deletes a location sent as PartialUpdate with ${c.name}, and only that one`, () => {
      update(store, c.location);
      assert.deepEqual(held(store), { '10.0.0.5': ['10.244.1.7'] });
      assert.deepEqual(addressLocationsView(store), [{ addressLocation: '10.0.0.5', addresses: [{ address: '10.244.1.7', services: [WEB] }] }]);
    });
  }

  it('keeps a location whose addresses were all removed one by one, empty, until it is deleted', () => {
    update(store, { addressLocation: '10.0.0.4', addresses: [{ address: '10.244.0.7', services: [] }, { address: '10.244.0.8', services: [] }] });
    assert.deepEqual(held(store), { '10.0.0.4': [], '10.0.0.5': ['10.244.1.7'] });
    assert.deepEqual(addressLocationsView(store)[0], { addressLocation: '10.0.0.4', addresses: [] });
    update(store, { addressLocation: '10.0.0.4', addresses: [] });
    assert.deepEqual(held(store), { '10.0.0.5': ['10.244.1.7'] });
  });

  it('keeps a location a FullUpdate left with no addresses', () => {
    update(store, { addressLocation: '10.0.0.4', addressUpdateAction: 'FullUpdate', addresses: [] });
    assert.deepEqual(held(store), { '10.0.0.4': [], '10.0.0.5': ['10.244.1.7'] });
  });
});
