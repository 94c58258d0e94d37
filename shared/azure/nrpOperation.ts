// The NRP operation an ARM request is, named as the NRP simulator and the SDK name it
// (`loadBalancers.createOrUpdate`, `updateAddressLocations`, `operations.get`…), so that metrics
// get a label from a short fixed list instead of a URL with resource names in it.

const NETWORK_PATH = /^\/subscriptions\/[^/]+\/resourcegroups\/[^/]+\/providers\/microsoft\.network\/([^/]+)(?:\/([^/]+)(?:\/([^/]+))?)?\/?$/i;
const LOCATION_OPERATION_PATH = /^\/subscriptions\/[^/]+\/providers\/microsoft\.network\/locations\/[^/]+\/(operations|operationresults)\/[^/]+\/?$/i;

const RESOURCE_TYPES: ReadonlyMap<string, string> = new Map(
  ['publicIPAddresses', 'loadBalancers', 'natGateways', 'virtualNetworks', 'serviceGateways'].map((t) => [t.toLowerCase(), t]),
);

/** Service Gateway sub-resources and actions, by method. */
const GATEWAY_CALLS: ReadonlyMap<string, string> = new Map([
  ['GET services', 'listServices'],
  ['GET addresslocations', 'listAddressLocations'],
  ['POST updateservices', 'updateServices'],
  ['POST updateaddresslocations', 'updateAddressLocations'],
]);

const VERBS: ReadonlyMap<string, string> = new Map([
  ['GET', 'get'],
  ['PUT', 'createOrUpdate'],
  ['DELETE', 'delete'],
  ['PATCH', 'updateTags'],
]);

export function nrpOperationOf(method: string, url: string): string {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    return 'other';
  }
  const m = method.toUpperCase();
  const location = LOCATION_OPERATION_PATH.exec(path);
  if (location) return location[1]?.toLowerCase() === 'operations' ? 'operations.get' : 'operationResults.get';
  const match = NETWORK_PATH.exec(path);
  const type = match ? RESOURCE_TYPES.get(match[1]?.toLowerCase() ?? '') : undefined;
  if (!match || type === undefined) return 'other';
  const [, , name, sub] = match;
  if (name === undefined) return m === 'GET' ? `${type}.list` : 'other';
  if (sub !== undefined) return type === 'serviceGateways' ? (GATEWAY_CALLS.get(`${m} ${sub.toLowerCase()}`) ?? 'other') : 'other';
  const verb = VERBS.get(m);
  return verb === undefined ? 'other' : `${type}.${verb}`;
}
