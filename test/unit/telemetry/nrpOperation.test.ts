// The operation label of the NRP call metrics: a short fixed list, never a URL with names in it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nrpOperationOf } from '../../../shared/azure/nrpOperation.ts';

const NET = 'https://management.azure.com/subscriptions/sub-1/resourceGroups/rg-1/providers/Microsoft.Network';

describe('nrpOperationOf', () => {
  const cases: readonly { readonly name: string; readonly method: string; readonly url: string; readonly want: string }[] = [
    { name: 'names a PUT of a public IP createOrUpdate', method: 'PUT', url: `${NET}/publicIPAddresses/abc-pip?api-version=2026-01-01`, want: 'publicIPAddresses.createOrUpdate' },
    { name: 'names a GET of a load balancer get', method: 'GET', url: `${NET}/loadBalancers/abc?api-version=2026-01-01`, want: 'loadBalancers.get' },
    { name: 'names a DELETE of a NAT gateway delete', method: 'DELETE', url: `${NET}/natGateways/team-a?api-version=2026-01-01`, want: 'natGateways.delete' },
    { name: 'names a GET of a collection list', method: 'GET', url: `${NET}/publicIPAddresses?api-version=2026-01-01`, want: 'publicIPAddresses.list' },
    { name: 'names the Service Gateway actions by their own names', method: 'POST', url: `${NET}/serviceGateways/sg/updateAddressLocations?api-version=2026-01-01`, want: 'updateAddressLocations' },
    { name: 'matches path segments case-insensitively, as ARM does', method: 'post', url: `${NET.toLowerCase()}/SERVICEGATEWAYS/sg/UPDATESERVICES`, want: 'updateServices' },
    { name: 'names the Service Gateway lists', method: 'GET', url: `${NET}/serviceGateways/sg/addressLocations?$skipToken=100`, want: 'listAddressLocations' },
    { name: 'names a long-running operation poll', method: 'GET', url: 'https://management.azure.com/subscriptions/sub-1/providers/Microsoft.Network/locations/eastus2/operations/op-1?api-version=2026-01-01', want: 'operations.get' },
    { name: 'names an operation-result poll', method: 'GET', url: 'https://management.azure.com/subscriptions/sub-1/providers/Microsoft.Network/locations/eastus2/operationResults/op-1', want: 'operationResults.get' },
    { name: 'calls anything else other', method: 'GET', url: `${NET}/loadBalancers/abc/backendAddressPools/abc`, want: 'other' },
    { name: 'calls an unknown resource type other', method: 'PUT', url: `${NET}/virtualHubs/hub`, want: 'other' },
    { name: 'calls a URL it cannot parse other', method: 'GET', url: 'not a url', want: 'other' },
  ];
  for (const c of cases) it(c.name, () => assert.equal(nrpOperationOf(c.method, c.url), c.want));
});
