// Which operation an HTTP request is: the ARM paths the simulator serves (literal segments are
// matched case-insensitively, as ARM does).
import { ArmError } from './armError.ts';
import { canonicalType } from './ids.ts';

export type ArmResourceType = 'publicIPAddresses' | 'loadBalancers' | 'natGateways';
export type SgAction = 'services' | 'addressLocations' | 'updateServices' | 'updateAddressLocations';

export type Route =
  | { readonly kind: 'resource'; readonly method: 'PUT' | 'GET' | 'DELETE'; readonly type: ArmResourceType; readonly name: string }
  | { readonly kind: 'list'; readonly type: ArmResourceType }
  | { readonly kind: 'serviceGateway'; readonly name: string; readonly action: SgAction | undefined }
  | { readonly kind: 'virtualNetwork'; readonly name: string }
  | { readonly kind: 'operationStatus' | 'operationResult'; readonly region: string; readonly id: string };

export interface Routed {
  readonly operation: string;
  readonly write: boolean;
  readonly subscriptionId: string;
  /** Absent for subscription-level paths (operation status). */
  readonly resourceGroup: string | undefined;
  readonly route: Route;
}

const eq = (a: string | undefined, b: string): boolean => a !== undefined && a.toLowerCase() === b.toLowerCase();

const SG_ACTIONS: Readonly<Record<string, { method: string; action: SgAction; operation: string; write: boolean }>> = {
  services: { method: 'GET', action: 'services', operation: 'listServices', write: false },
  addresslocations: { method: 'GET', action: 'addressLocations', operation: 'listAddressLocations', write: false },
  updateservices: { method: 'POST', action: 'updateServices', operation: 'updateServices', write: true },
  updateaddresslocations: { method: 'POST', action: 'updateAddressLocations', operation: 'updateAddressLocations', write: true },
};

function methodNotAllowed(method: string, path: string): ArmError {
  return new ArmError(405, 'HttpMethodNotAllowed', `The HTTP method '${method}' is not supported (or not simulated) for '${path}'.`);
}

function unknownPath(path: string): ArmError {
  return new ArmError(404, 'InvalidResourceType', `The resource path '${path}' is not served by the NRP simulator.`);
}

export function routeOf(method: string, pathname: string): Routed | ArmError {
  let seg: string[];
  try {
    seg = pathname.split('/').filter((s) => s !== '').map((s) => decodeURIComponent(s));
  } catch {
    return unknownPath(pathname);
  }
  if (!eq(seg[0], 'subscriptions') || seg[1] === undefined) return unknownPath(pathname);
  const subscriptionId = seg[1];

  // /subscriptions/{sub}/providers/Microsoft.Network/locations/{region}/(operations|operationResults)/{id}
  if (eq(seg[2], 'providers') && eq(seg[3], 'Microsoft.Network') && eq(seg[4], 'locations') && seg[5] && seg[7] && seg.length === 8) {
    const status = eq(seg[6], 'operations');
    if (!status && !eq(seg[6], 'operationResults')) return unknownPath(pathname);
    if (method !== 'GET') return methodNotAllowed(method, pathname);
    return {
      operation: status ? 'operations.get' : 'operationResults.get',
      write: false,
      subscriptionId,
      resourceGroup: undefined,
      route: { kind: status ? 'operationStatus' : 'operationResult', region: seg[5], id: seg[7] },
    };
  }

  // /subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Network/{type}[/{name}[/{action}]]
  if (!eq(seg[2], 'resourceGroups') || !seg[3] || !eq(seg[4], 'providers') || !eq(seg[5], 'Microsoft.Network') || !seg[6]) {
    return unknownPath(pathname);
  }
  const resourceGroup = seg[3];
  const type = canonicalType(seg[6]);
  const name = seg[7];
  const action = seg[8];
  if (!type || seg.length > 9) return unknownPath(pathname);
  const base = { subscriptionId, resourceGroup };

  if (type === 'serviceGateways') {
    if (name === undefined) return methodNotAllowed(method, pathname);
    if (action === undefined) {
      if (method !== 'GET') return methodNotAllowed(method, pathname);
      return { ...base, operation: 'serviceGateways.get', write: false, route: { kind: 'serviceGateway', name, action: undefined } };
    }
    const a = SG_ACTIONS[action.toLowerCase()];
    if (!a) return unknownPath(pathname);
    if (method !== a.method) return methodNotAllowed(method, pathname);
    return { ...base, operation: a.operation, write: a.write, route: { kind: 'serviceGateway', name, action: a.action } };
  }
  if (type === 'virtualNetworks') {
    if (name === undefined || action !== undefined || method !== 'GET') return methodNotAllowed(method, pathname);
    return { ...base, operation: 'virtualNetworks.get', write: false, route: { kind: 'virtualNetwork', name } };
  }
  if (action !== undefined) return unknownPath(pathname);
  if (name === undefined) {
    if (method !== 'GET') return methodNotAllowed(method, pathname);
    return { ...base, operation: `${type}.list`, write: false, route: { kind: 'list', type } };
  }
  if (method !== 'PUT' && method !== 'GET' && method !== 'DELETE') return methodNotAllowed(method, pathname);
  const verb = method === 'PUT' ? 'createOrUpdate' : method === 'GET' ? 'get' : 'delete';
  return { ...base, operation: `${type}.${verb}`, write: method !== 'GET', route: { kind: 'resource', method, type, name } };
}
