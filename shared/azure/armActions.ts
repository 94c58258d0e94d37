// The Azure RBAC actions each NRP operation of the adapter needs, keyed by the operation names of
// nrpOperation.ts (what the adapter's client sends, polls included). The engine's custom roles
// (infra/modules/networkRole.bicep, vnetRole.bicep) list exactly these; tests hold the table to the
// calls the adapter makes and the roles to the table (docs/adr/0021).
//
// An operation needs the action of its own request, plus a join action for every resource its body
// refers to: ARM checks that the caller may link what it links (LinkedAuthorizationFailed otherwise).
// The Service Gateway's names are derived from the ARM paths the SDK calls (the provider's operation
// list did not name them where we could look): a POST `.../serviceGateways/{sg}/updateServices` is
// `serviceGateways/updateServices/action`, a GET of `.../serviceGateways/{sg}/services` is
// `serviceGateways/services/read`.

/** Where an action is granted: the cluster's resource group, or the one VNet the backend pools name. */
export type ActionScope = 'clusterResourceGroup' | 'virtualNetwork';

export type ScopedActions = { readonly [S in ActionScope]?: readonly string[] };

const NETWORK = 'Microsoft.Network';

const read = (type: string): string => `${NETWORK}/${type}/read`;
const write = (type: string): string => `${NETWORK}/${type}/write`;
const remove = (type: string): string => `${NETWORK}/${type}/delete`;
const action = (path: string): string => `${NETWORK}/${path}/action`;

export const NRP_OPERATION_ACTIONS: Readonly<Record<string, ScopedActions>> = {
  'publicIPAddresses.get': { clusterResourceGroup: [read('publicIPAddresses')] },
  'publicIPAddresses.list': { clusterResourceGroup: [read('publicIPAddresses')] },
  'publicIPAddresses.createOrUpdate': { clusterResourceGroup: [write('publicIPAddresses')] },
  'publicIPAddresses.delete': { clusterResourceGroup: [remove('publicIPAddresses')] },
  'loadBalancers.get': { clusterResourceGroup: [read('loadBalancers')] },
  'loadBalancers.list': { clusterResourceGroup: [read('loadBalancers')] },
  // The frontend names the service's Public IP.
  'loadBalancers.createOrUpdate': { clusterResourceGroup: [write('loadBalancers'), action('publicIPAddresses/join')] },
  'loadBalancers.delete': { clusterResourceGroup: [remove('loadBalancers')] },
  'natGateways.get': { clusterResourceGroup: [read('natGateways')] },
  'natGateways.list': { clusterResourceGroup: [read('natGateways')] },
  // The gateway names its Public IPs and the Service Gateway it is linked to.
  'natGateways.createOrUpdate': { clusterResourceGroup: [write('natGateways'), action('publicIPAddresses/join'), action('serviceGateways/join')] },
  'natGateways.delete': { clusterResourceGroup: [remove('natGateways')] },
  'listServices': { clusterResourceGroup: [read('serviceGateways/services')] },
  'listAddressLocations': { clusterResourceGroup: [read('serviceGateways/addressLocations')] },
  // A registration names the load balancer's backend pool and the cluster's VNet (inbound) or the
  // NAT gateway (outbound).
  'updateServices': {
    clusterResourceGroup: [action('serviceGateways/updateServices'), action('loadBalancers/backendAddressPools/join'), action('natGateways/join')],
    virtualNetwork: [read('virtualNetworks'), action('virtualNetworks/joinLoadBalancer')],
  },
  'updateAddressLocations': { clusterResourceGroup: [action('serviceGateways/updateAddressLocations')] },
  // The polls of a PUT or DELETE, and of a POST that NRP answered 202 (acceptedOperation.ts).
  'operations.get': { clusterResourceGroup: [read('locations/operations')] },
  'operationResults.get': { clusterResourceGroup: [read('locations/operationResults')] },
};

/** Every action granted at `scope`, sorted and without repeats: the action list of that role. */
export function actionsAt(scope: ActionScope): string[] {
  return [...new Set(Object.values(NRP_OPERATION_ACTIONS).flatMap((a) => a[scope] ?? []))].sort();
}
