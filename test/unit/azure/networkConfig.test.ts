// readNetworkConfig: the defaults of the reference, normalised values, and one line per bad setting
// that names the setting and says what it expects.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NetworkConfigError, readNetworkConfig } from '../../../shared/azure/networkConfig.ts';

const SUB = '11111111-1111-1111-1111-111111111111';
const NET_SUB = '22222222-2222-2222-2222-222222222222';

const MINIMAL = {
  AZURE_SUBSCRIPTION_ID: SUB,
  AZURE_RESOURCE_GROUP: 'rg-sgw',
  AZURE_VNET_NAME: 'vnet-aks',
  AZURE_LOCATION: 'westeurope',
  CLUSTER_NAME: 'aks-prod-1',
};

function problemsOf(env: Record<string, string | undefined>): readonly string[] {
  try {
    readNetworkConfig(env);
  } catch (e) {
    assert.ok(e instanceof NetworkConfigError);
    return e.problems;
  }
  assert.fail('expected a NetworkConfigError');
}

describe('readNetworkConfig', () => {
  it('fills the defaults: network subscription, VNet resource group, Service Gateway name', () => {
    assert.deepEqual(readNetworkConfig(MINIMAL), {
      subscriptionId: SUB,
      networkSubscriptionId: SUB,
      resourceGroup: 'rg-sgw',
      vnetName: 'vnet-aks',
      vnetResourceGroup: 'rg-sgw',
      location: 'westeurope',
      serviceGatewayName: 'servicegateway',
      clusterName: 'aks-prod-1',
    });
  });

  it('takes every optional setting when given', () => {
    const config = readNetworkConfig({
      ...MINIMAL,
      AZURE_NETWORK_SUBSCRIPTION_ID: NET_SUB,
      AZURE_VNET_RESOURCE_GROUP: 'rg-net(shared)',
      SERVICE_GATEWAY_NAME: 'sgw_1',
    });
    assert.equal(config.networkSubscriptionId, NET_SUB);
    assert.equal(config.vnetResourceGroup, 'rg-net(shared)');
    assert.equal(config.serviceGatewayName, 'sgw_1');
  });

  it('treats blank optional settings as unset', () => {
    const config = readNetworkConfig({ ...MINIMAL, AZURE_NETWORK_SUBSCRIPTION_ID: '', AZURE_VNET_RESOURCE_GROUP: '  ', SERVICE_GATEWAY_NAME: '' });
    assert.equal(config.networkSubscriptionId, SUB);
    assert.equal(config.vnetResourceGroup, 'rg-sgw');
    assert.equal(config.serviceGatewayName, 'servicegateway');
  });

  it('normalises GUIDs and region names to lower case and trims whitespace', () => {
    const config = readNetworkConfig({ ...MINIMAL, AZURE_SUBSCRIPTION_ID: ` ${SUB.replaceAll('1', 'A')} `, AZURE_LOCATION: 'WestEurope' });
    assert.equal(config.subscriptionId, SUB.replaceAll('1', 'a'));
    assert.equal(config.location, 'westeurope');
  });

  const bad: readonly { name: string; env: Record<string, string | undefined>; problem: string }[] = [
    { name: 'a subscription that is not a GUID', env: { ...MINIMAL, AZURE_SUBSCRIPTION_ID: 'my-subscription' }, problem: 'AZURE_SUBSCRIPTION_ID: expected a GUID' },
    { name: 'a missing subscription', env: { ...MINIMAL, AZURE_SUBSCRIPTION_ID: undefined }, problem: 'AZURE_SUBSCRIPTION_ID: required' },
    { name: 'a network subscription that is not a GUID', env: { ...MINIMAL, AZURE_NETWORK_SUBSCRIPTION_ID: '1234' }, problem: 'AZURE_NETWORK_SUBSCRIPTION_ID: expected a GUID' },
    { name: 'a blank resource group', env: { ...MINIMAL, AZURE_RESOURCE_GROUP: ' ' }, problem: 'AZURE_RESOURCE_GROUP: required' },
    {
      name: 'a resource group ending in a period',
      env: { ...MINIMAL, AZURE_RESOURCE_GROUP: 'rg.' },
      problem: "AZURE_RESOURCE_GROUP: expected a resource group name (1-90 letters, digits, '_', '-', '.', '(' or ')', not ending in '.')",
    },
    { name: 'a VNet name with a slash', env: { ...MINIMAL, AZURE_VNET_NAME: 'vnet/aks' }, problem: "AZURE_VNET_NAME: expected a virtual network name (2-64 letters, digits, '_', '.' or '-')" },
    {
      name: 'a region display name',
      env: { ...MINIMAL, AZURE_LOCATION: 'West Europe' },
      problem: 'AZURE_LOCATION: expected an Azure region name such as westeurope or eastus2 (lower case, no spaces)',
    },
    { name: 'a Service Gateway name with a space', env: { ...MINIMAL, SERVICE_GATEWAY_NAME: 'service gateway' }, problem: "SERVICE_GATEWAY_NAME: expected a Service Gateway name (1-80 letters, digits, '_', '.' or '-')" },
    { name: 'a missing cluster name', env: { ...MINIMAL, CLUSTER_NAME: undefined }, problem: 'CLUSTER_NAME: required' },
  ];
  for (const c of bad) {
    it(`refuses ${c.name}`, () => assert.deepEqual(problemsOf(c.env), [c.problem]));
  }

  it('reports every bad setting at once, in one error message', () => {
    const problems = problemsOf({ AZURE_SUBSCRIPTION_ID: 'x', AZURE_LOCATION: 'West Europe' });
    assert.deepEqual(
      problems.map((p) => p.split(':')[0]),
      ['AZURE_SUBSCRIPTION_ID', 'AZURE_RESOURCE_GROUP', 'AZURE_VNET_NAME', 'AZURE_LOCATION', 'CLUSTER_NAME'],
    );
    assert.throws(() => readNetworkConfig({}), /^NetworkConfigError: invalid network settings:\n {2}AZURE_SUBSCRIPTION_ID: required/);
  });
});
