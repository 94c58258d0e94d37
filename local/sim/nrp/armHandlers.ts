// The operations themselves: one routed, validated call in, one reply out (or an ArmError thrown).
import { ArmError, invalidFormat, notFound } from './armError.ts';
import { checkResourceName } from './ids.ts';
import { loadBalancers } from './loadBalancers.ts';
import { natGateways } from './natGateways.ts';
import { publicIpAddresses } from './publicIpAddresses.ts';
import {
  addressLocationsView, isOurServiceGateway, renderServiceGateway, renderVirtualNetwork, servicesView,
  updateAddressLocations, updateServices,
} from './serviceGateway.ts';
import type { AsyncOperation, AsyncOperations, OperationKind } from './asyncOperations.ts';
import type { ResourceKind } from './resourceKind.ts';
import type { ArmResourceType, Route, SgAction } from './routes.ts';
import type { NrpStore, Tracked } from './store.ts';

export interface Reply {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>> | undefined;
  readonly body?: unknown;
}

export interface Call {
  readonly route: Route;
  /** The parsed JSON body; a function so that unparseable content fails only where a body is read. */
  readonly body: () => unknown;
  readonly query: URLSearchParams;
  readonly pathname: string;
  readonly apiVersion: string;
  readonly ifMatch: string | undefined;
  readonly ifNoneMatch: string | undefined;
}

export class ArmHandlers {
  private readonly store: NrpStore;
  private readonly ops: AsyncOperations;
  private readonly baseUrl: () => string;

  constructor(store: NrpStore, ops: AsyncOperations, baseUrl: () => string) {
    this.store = store;
    this.ops = ops;
    this.baseUrl = baseUrl;
  }

  handle(call: Call): Reply {
    const r = call.route;
    switch (r.kind) {
      case 'resource': return this.resource(call, r.type, r.method, r.name);
      case 'list': return this.list(call, r.type);
      case 'serviceGateway': return this.serviceGateway(call, r.name, r.action);
      case 'virtualNetwork':
        if (r.name.toLowerCase() !== this.store.options.vnetName.toLowerCase()) {
          throw notFound('virtualNetworks', r.name, this.store.options.resourceGroup);
        }
        return { status: 200, body: renderVirtualNetwork(this.store) };
      case 'operationStatus': return this.operationStatus(call, r.id);
      case 'operationResult': return this.operationResult(call, r.id);
    }
  }

  // -------------------------------------------------------------------------------------------
  // PUT / GET / DELETE / list of public IPs, load balancers, NAT gateways.

  private resource(call: Call, type: ArmResourceType, method: 'PUT' | 'GET' | 'DELETE', name: string): Reply {
    switch (type) {
      case 'publicIPAddresses': return this.resourceOf(publicIpAddresses, call, method, name);
      case 'loadBalancers': return this.resourceOf(loadBalancers, call, method, name);
      case 'natGateways': return this.resourceOf(natGateways, call, method, name);
    }
  }

  private resourceOf<T extends Tracked>(kind: ResourceKind<T>, call: Call, method: 'PUT' | 'GET' | 'DELETE', name: string): Reply {
    const store = this.store;
    const map = kind.map(store);
    const key = name.toLowerCase();
    const existing = map.get(key);
    if (method === 'GET') {
      if (!existing) throw notFound(kind.type, name, store.options.resourceGroup);
      return { status: 200, body: kind.render(store, existing) };
    }
    checkPreconditions(call, existing?.etag);
    if (method === 'PUT') {
      const bad = checkResourceName(name);
      if (bad) throw bad;
      const record = kind.build(store, name, call.body(), existing);
      const op = this.ops.start('put', kind.durationMs(store, existing === undefined));
      record.etag = store.nextEtag();
      record.busyUntil = op.doneAt;
      map.set(key, record);
      return {
        status: existing ? 200 : 201,
        headers: { 'Azure-AsyncOperation': this.operationUrl(op, 'operations', call.apiVersion), ...this.retryAfter() },
        body: kind.render(store, record),
      };
    }
    if (!existing) {
      if (store.options.deleteAbsentStatus === 204) return { status: 204 };
      throw notFound(kind.type, name, store.options.resourceGroup);
    }
    kind.checkDelete(store, existing);
    map.delete(key);
    kind.onDeleted(store, existing);
    return this.accepted('delete', store.options.writeMs, call.apiVersion);
  }

  private list(call: Call, type: ArmResourceType): Reply {
    switch (type) {
      case 'publicIPAddresses': return this.page(call, this.rendered(publicIpAddresses));
      case 'loadBalancers': return this.page(call, this.rendered(loadBalancers));
      case 'natGateways': return this.page(call, this.rendered(natGateways));
    }
  }

  private rendered<T extends Tracked>(kind: ResourceKind<T>): unknown[] {
    return [...kind.map(this.store).values()]
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((r) => kind.render(this.store, r));
  }

  // -------------------------------------------------------------------------------------------
  // Service Gateway.

  private serviceGateway(call: Call, name: string, action: SgAction | undefined): Reply {
    const store = this.store;
    if (!isOurServiceGateway(store, name)) throw notFound('serviceGateways', name, store.options.resourceGroup);
    switch (action) {
      case undefined: return { status: 200, body: renderServiceGateway(store) };
      case 'services': return this.page(call, servicesView(store));
      case 'addressLocations': return this.page(call, addressLocationsView(store));
      case 'updateServices':
        updateServices(store, call.body());
        return this.postReply(call);
      case 'updateAddressLocations':
        updateAddressLocations(store, call.body());
        return this.postReply(call);
    }
  }

  /** NRP answers the Service Gateway POSTs with 200 (the quirk); 202 + polling headers when configured. */
  private postReply(call: Call): Reply {
    if (this.store.options.syncPostStatus === 200) return { status: 200, body: { status: 'Succeeded' } };
    return this.accepted('post', this.store.options.writeMs, call.apiVersion);
  }

  // -------------------------------------------------------------------------------------------
  // Long-running operation plumbing.

  private accepted(kind: OperationKind, durationMs: number, apiVersion: string): Reply {
    const op = this.ops.start(kind, durationMs);
    return {
      status: 202,
      headers: {
        'Azure-AsyncOperation': this.operationUrl(op, 'operations', apiVersion),
        Location: this.operationUrl(op, 'operationResults', apiVersion),
        ...this.retryAfter(),
      },
    };
  }

  private operationStatus(_call: Call, id: string): Reply {
    const op = this.operation(id);
    const done = this.ops.isDone(op);
    return { status: 200, headers: done ? {} : this.retryAfter(), body: this.ops.statusBody(op) };
  }

  private operationResult(call: Call, id: string): Reply {
    const op = this.operation(id);
    if (!this.ops.isDone(op)) {
      return { status: 202, headers: { Location: this.operationUrl(op, 'operationResults', call.apiVersion), ...this.retryAfter() } };
    }
    return op.kind === 'post' ? { status: 200, body: { status: 'Succeeded' } } : { status: 204 };
  }

  private operation(id: string): AsyncOperation {
    const op = this.ops.get(id);
    if (!op) throw new ArmError(404, 'OperationNotFound', `The operation '${id}' could not be found.`);
    return op;
  }

  private operationUrl(op: AsyncOperation, kind: 'operations' | 'operationResults', apiVersion: string): string {
    const o = this.store.options;
    const region = o.location.toLowerCase().replace(/\s+/g, '');
    return `${this.baseUrl()}/subscriptions/${o.subscriptionId}/providers/Microsoft.Network/locations/${region}/${kind}/${op.id}?api-version=${apiVersion}`;
  }

  private retryAfter(): Record<string, string> {
    const s = this.store.options.pollRetryAfterSeconds;
    return s === undefined ? {} : { 'Retry-After': String(s) };
  }

  /** One page of `items` with an absolute `nextLink` carrying `$skipToken`. */
  private page(call: Call, items: readonly unknown[]): Reply {
    const token = call.query.get('$skipToken') ?? '0';
    const skip = Number(token);
    if (!/^\d+$/.test(token) || skip > items.length) throw invalidFormat(`$skipToken '${token}' is not valid.`);
    const size = this.store.options.pageSize;
    const end = skip + size;
    const nextLink = end < items.length
      ? `${this.baseUrl()}${call.pathname}?api-version=${call.apiVersion}&%24skipToken=${end}`
      : undefined;
    return { status: 200, body: { value: items.slice(skip, end), ...(nextLink ? { nextLink } : {}) } };
  }
}

/** If-Match / If-None-Match on PUT and DELETE. */
function checkPreconditions(call: Call, etag: string | undefined): void {
  const fail = (): never => {
    throw new ArmError(412, 'PreconditionFailed', 'The condition specified using HTTP conditional header(s) is not met.');
  };
  if (call.ifMatch !== undefined && call.ifMatch !== '*' && call.ifMatch !== etag) fail();
  if (call.ifMatch === '*' && etag === undefined) fail();
  if (call.ifNoneMatch === '*' && etag !== undefined) fail();
}
