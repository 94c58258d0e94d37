// The service operations' ARM ids and request bodies, byte for byte (reference §3.1-3.5, §5): key
// order, explicit nulls and empty arrays are part of what NRP and ARM receive.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  backendPoolId,
  clearBackendPoolsRequest,
  clearNatGatewayRequest,
  frontendIpConfigurationId,
  inboundPublicIpName,
  loadBalancerBody,
  loadBalancerId,
  natGatewayBody,
  natGatewayId,
  publicIpBody,
  publicIpId,
  publicIpName,
  publicIpNames,
  registerInboundRequest,
  registerOutboundRequest,
  serviceGatewayId,
  unregisterRequest,
  virtualNetworkId,
} from '../../../shared/engine/serviceRequests.ts';
import type { ServiceGatewayIds } from '../../../shared/engine/serviceRequests.ts';
import type { InboundConfig, OutboundConfig } from '../../../shared/engine/types.ts';
import { resourceTags } from '../../../shared/engine/resourceTags.ts';

const IDS: ServiceGatewayIds = {
  subscriptionId: '11111111-1111-1111-1111-111111111111',
  networkSubscriptionId: '22222222-2222-2222-2222-222222222222',
  resourceGroup: 'rg-sgw',
  vnetResourceGroup: 'rg-vnet',
  vnetName: 'vnet-aks',
  serviceGatewayName: 'servicegateway',
  location: 'westeurope',
};

const NET = '/subscriptions/22222222-2222-2222-2222-222222222222/resourceGroups/rg-sgw/providers/Microsoft.Network';
const UID = '6f1c2d3e-0000-4000-8000-00000000000a';
const LB = `${NET}/loadBalancers/${UID}`;
/** The tags of every resource (resourceTags.ts), serialised right after `location`. */
const TAGS = resourceTags('aks-1', 'inbound', UID);
const TAGS_JSON = `"tags":{"servicegateway-engine-cluster":"aks-1","servicegateway-engine-kind":"inbound","servicegateway-engine-service":"${UID}"}`;
const VNET = '/subscriptions/22222222-2222-2222-2222-222222222222/resourceGroups/rg-vnet/providers/Microsoft.Network/virtualNetworks/vnet-aks';

function inbound(o: Partial<InboundConfig> = {}): InboundConfig {
  return {
    kind: 'inbound',
    name: UID,
    service: { namespace: 'default', name: 'web', uid: UID },
    ipFamily: 'IPv4',
    ports: [{ protocol: 'TCP', port: 80, backendPort: 8080 }],
    idleTimeoutMinutes: 4,
    ...o,
  };
}

function outbound(ipFamilies: OutboundConfig['ipFamilies']): OutboundConfig {
  return { kind: 'outbound', name: 'team-egress', ipFamilies };
}

describe('ARM ids', () => {
  it('puts the Service Gateway, load balancer, pool, NAT gateway and PIPs in the network subscription', () => {
    assert.equal(serviceGatewayId(IDS), `${NET}/serviceGateways/servicegateway`);
    assert.equal(loadBalancerId(IDS, UID), LB);
    assert.equal(backendPoolId(IDS, UID), `${LB}/backendAddressPools/${UID}`);
    assert.equal(frontendIpConfigurationId(IDS, UID), `${LB}/frontendIPConfigurations/frontend`);
    assert.equal(natGatewayId(IDS, 'team-egress'), `${NET}/natGateways/team-egress`);
    assert.equal(publicIpId(IDS, `${UID}-pip`), `${NET}/publicIPAddresses/${UID}-pip`);
  });

  it('puts the VNet in its own resource group', () => {
    assert.equal(virtualNetworkId(IDS), VNET);
  });

  it('falls back to the cluster subscription and resource group when those are left empty', () => {
    const ids = { ...IDS, networkSubscriptionId: '', vnetResourceGroup: '' };
    assert.equal(
      JSON.stringify([serviceGatewayId(ids), virtualNetworkId(ids)]),
      '["/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-sgw/providers/Microsoft.Network/serviceGateways/servicegateway",' +
        '"/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-sgw/providers/Microsoft.Network/virtualNetworks/vnet-aks"]',
    );
  });
});

describe('Public IP names', () => {
  it('names a NAT gateway PIP by family', () => {
    assert.equal(publicIpName('team-egress', 'IPv4'), 'team-egress-pip');
    assert.equal(publicIpName('team-egress', 'IPv6'), 'team-egress-pip-v6');
  });

  it('gives an IPv6 inbound Service its one PIP as <uid>-pip', () => {
    assert.equal(inboundPublicIpName(UID), `${UID}-pip`);
    assert.equal(JSON.stringify(publicIpNames(inbound({ ipFamily: 'IPv6' }))), `[{"name":"${UID}-pip","family":"IPv6"}]`);
  });

  it('gives a dual-stack egress identity an IPv4 and an IPv6 PIP', () => {
    assert.equal(
      JSON.stringify(publicIpNames(outbound(['IPv4', 'IPv6']))),
      '[{"name":"team-egress-pip","family":"IPv4"},{"name":"team-egress-pip-v6","family":"IPv6"}]',
    );
  });
});

describe('updateServices bodies', () => {
  it('registers an inbound service with its backend pool and VNet', () => {
    assert.equal(
      JSON.stringify(registerInboundRequest(inbound(), IDS)),
      `{"action":"PartialUpdate","serviceRequests":[{"isDelete":false,"service":{"name":"${UID}","properties":{"serviceType":"Inbound",` +
        `"loadBalancerBackendPools":[{"id":"${LB}/backendAddressPools/${UID}","name":"${UID}","properties":{"virtualNetwork":{"id":"${VNET}"}}}]}}}]}`,
    );
  });

  it('registers an outbound service with its NAT gateway and an empty pool list', () => {
    assert.equal(
      JSON.stringify(registerOutboundRequest(outbound(['IPv4']), IDS)),
      '{"action":"PartialUpdate","serviceRequests":[{"isDelete":false,"service":{"name":"team-egress","properties":{"serviceType":"Outbound",' +
        `"loadBalancerBackendPools":[],"publicNatGatewayId":"${NET}/natGateways/team-egress"}}}]}`,
    );
  });

  it('unregisters an inbound service with isDelete true', () => {
    assert.equal(
      JSON.stringify(unregisterRequest(UID, 'inbound')),
      `{"action":"PartialUpdate","serviceRequests":[{"isDelete":true,"service":{"name":"${UID}","properties":{"serviceType":"Inbound"}}}]}`,
    );
  });

  it('unregisters an outbound service with isDelete true', () => {
    assert.equal(
      JSON.stringify(unregisterRequest('team-egress', 'outbound')),
      '{"action":"PartialUpdate","serviceRequests":[{"isDelete":true,"service":{"name":"team-egress","properties":{"serviceType":"Outbound"}}}]}',
    );
  });

  it('clears the backend pools of an inbound service with "loadBalancerBackendPools":[]', () => {
    assert.equal(
      JSON.stringify(clearBackendPoolsRequest(UID)),
      `{"action":"PartialUpdate","serviceRequests":[{"isDelete":false,"service":{"name":"${UID}","properties":{"serviceType":"Inbound","loadBalancerBackendPools":[]}}}]}`,
    );
  });

  it('detaches a NAT gateway with an explicit "publicNatGatewayId":null', () => {
    assert.equal(
      JSON.stringify(clearNatGatewayRequest('team-egress')),
      '{"action":"PartialUpdate","serviceRequests":[{"isDelete":false,"service":{"name":"team-egress","properties":{"serviceType":"Outbound","publicNatGatewayId":null}}}]}',
    );
  });
});

describe('publicIpBody', () => {
  it('is a static StandardV2 IPv4 address in the cluster region', () => {
    assert.equal(
      JSON.stringify(publicIpBody('IPv4', 'westeurope', TAGS)),
      `{"location":"westeurope",${TAGS_JSON},"sku":{"name":"StandardV2"},"properties":{"publicIPAllocationMethod":"Static","publicIPAddressVersion":"IPv4"}}`,
    );
  });

  it('carries the IPv6 version for an IPv6 address', () => {
    assert.equal(
      JSON.stringify(publicIpBody('IPv6', 'eastus2', TAGS)),
      `{"location":"eastus2",${TAGS_JSON},"sku":{"name":"StandardV2"},"properties":{"publicIPAllocationMethod":"Static","publicIPAddressVersion":"IPv6"}}`,
    );
  });
});

describe('loadBalancerBody', () => {
  it('builds the Service SKU load balancer with one frontend, one pool and a TCP rule with TCP reset', () => {
    assert.equal(
      JSON.stringify(loadBalancerBody(inbound(), IDS, TAGS)),
      `{"location":"westeurope",${TAGS_JSON},"sku":{"name":"Service"},"properties":{"scope":"Public",` +
        `"frontendIPConfigurations":[{"name":"frontend","properties":{"publicIPAddress":{"id":"${NET}/publicIPAddresses/${UID}-pip"}}}],` +
        `"backendAddressPools":[{"name":"${UID}"}],` +
        `"loadBalancingRules":[{"name":"rule-tcp-80","properties":{"frontendIPConfiguration":{"id":"${LB}/frontendIPConfigurations/frontend"},` +
        `"backendAddressPool":{"id":"${LB}/backendAddressPools/${UID}"},"protocol":"Tcp","frontendPort":80,"backendPort":8080,` +
        '"idleTimeoutInMinutes":4,"enableFloatingIP":false,"enableTcpReset":true}}]}}',
    );
  });

  it('gives a UDP rule no enableTcpReset and every rule the configured idle timeout, in config order', () => {
    const config = inbound({
      ports: [
        { protocol: 'TCP', port: 443, backendPort: 8443 },
        { protocol: 'UDP', port: 53, backendPort: 5353 },
      ],
      idleTimeoutMinutes: 30,
    });
    const rules = loadBalancerBody(config, IDS, TAGS).properties.loadBalancingRules;
    const frontend = `{"frontendIPConfiguration":{"id":"${LB}/frontendIPConfigurations/frontend"},"backendAddressPool":{"id":"${LB}/backendAddressPools/${UID}"}`;
    assert.equal(
      JSON.stringify(rules),
      `[{"name":"rule-tcp-443","properties":${frontend},"protocol":"Tcp","frontendPort":443,"backendPort":8443,"idleTimeoutInMinutes":30,"enableFloatingIP":false,"enableTcpReset":true}},` +
        `{"name":"rule-udp-53","properties":${frontend},"protocol":"Udp","frontendPort":53,"backendPort":5353,"idleTimeoutInMinutes":30,"enableFloatingIP":false}}]`,
    );
  });

  it('sends "loadBalancingRules":[] and no probes for a Service without ports', () => {
    const json = JSON.stringify(loadBalancerBody(inbound({ ports: [] }), IDS, TAGS));
    assert.equal(json.endsWith(`"backendAddressPools":[{"name":"${UID}"}],"loadBalancingRules":[]}}`), true);
    assert.equal(json.includes('probes'), false);
  });
});

describe('natGatewayBody', () => {
  it('links an IPv4 NAT gateway to the Service Gateway with one PIP', () => {
    assert.equal(
      JSON.stringify(natGatewayBody(outbound(['IPv4']), IDS, TAGS)),
      `{"location":"westeurope",${TAGS_JSON},"sku":{"name":"StandardV2"},"properties":{"serviceGateway":{"id":"${NET}/serviceGateways/servicegateway"},` +
        `"publicIpAddresses":[{"id":"${NET}/publicIPAddresses/team-egress-pip"}]}}`,
    );
  });

  it('adds the IPv6 PIP under publicIpAddressesV6 for a dual-stack identity', () => {
    assert.equal(
      JSON.stringify(natGatewayBody(outbound(['IPv4', 'IPv6']), IDS, TAGS)),
      `{"location":"westeurope",${TAGS_JSON},"sku":{"name":"StandardV2"},"properties":{"serviceGateway":{"id":"${NET}/serviceGateways/servicegateway"},` +
        `"publicIpAddresses":[{"id":"${NET}/publicIPAddresses/team-egress-pip"}],` +
        `"publicIpAddressesV6":[{"id":"${NET}/publicIPAddresses/team-egress-pip-v6"}]}}`,
    );
  });
});
