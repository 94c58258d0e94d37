// NRP simulator: an HTTP server speaking the ARM subset @azure/arm-network uses for public IPs,
// load balancers, NAT gateways and the Service Gateway. See local/sim/nrp/README.md.
//
// Each request goes: route → count → api-version → auth → subscription/resource group →
// throttle → armed fault → (write latency) → handler → JSON reply.
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ArmError, defaultFaultCode } from './armError.ts';
import { ArmHandlers } from './armHandlers.ts';
import type { Reply } from './armHandlers.ts';
import { AsyncOperations } from './asyncOperations.ts';
import { CallCounters } from './callCounters.ts';
import { FaultTable } from './faults.ts';
import { sequenceGuid } from './ids.ts';
import { routeOf } from './routes.ts';
import type { Routed } from './routes.ts';
import { snapshotOf } from './snapshot.ts';
import { NrpStore } from './store.ts';
import { Bucket } from './throttle.ts';
import { resolveOptions } from './types.ts';
import type { NrpFault, NrpLatency, NrpRuntimeControls, NrpServiceType, NrpSimulator, NrpSimulatorOptions, NrpThrottle, ResolvedOptions } from './types.ts';
import { listenHttp } from '../serve.ts';

export type {
  ArmedFault, Clock, NrpFault, NrpLatency, NrpRuntimeControls, NrpSimulator, NrpSimulatorOptions, NrpSnapshot, NrpThrottle, SyncPostStatus, TokenBucket,
} from './types.ts';
export { READ_OPERATIONS, WRITE_OPERATIONS } from './callCounters.ts';

/** Largest request body accepted (no ARM limit is modelled below this). */
const MAX_BODY_BYTES = 64 * 1024 * 1024;

const API_VERSION_SHAPE = /^\d{4}-\d{2}-\d{2}(-preview)?$/;

type ParsedBody = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: ArmError };

class NrpServer {
  readonly options: ResolvedOptions;
  readonly store: NrpStore;
  readonly faults = new FaultTable();
  readonly counters = new CallCounters();
  private readonly ops: AsyncOperations;
  private readonly handlers: ArmHandlers;
  private readonly server: Server;
  private readBucket: Bucket | undefined;
  private writeBucket: Bucket | undefined;
  private readonly writeListeners = new Set<(operation: string) => void>();
  /** Requests held by a "timeout" fault, and pending delays: released on stop. */
  private readonly held = new Map<ServerResponse, NodeJS.Timeout>();
  private readonly delays = new Map<NodeJS.Timeout, () => void>();
  private requestSeq = 0;
  private stopped = false;
  baseUrl = '';

  constructor(options: ResolvedOptions) {
    this.options = options;
    this.store = new NrpStore(options);
    this.ops = new AsyncOperations(options.clock);
    this.handlers = new ArmHandlers(this.store, this.ops, () => this.baseUrl);
    this.setThrottle(options.throttle);
    this.server = createServer((req, res) => {
      this.serve(req, res).catch((err: unknown) => {
        const e = new ArmError(500, 'InternalServerError', `NRP simulator failure: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
        this.send(req, res, errorReply(e));
      });
    });
  }

  async listen(): Promise<void> {
    this.baseUrl = await listenHttp(this.server, this.options.port, this.options.host);
  }

  port(): number {
    return (this.server.address() as AddressInfo | null)?.port ?? 0;
  }

  setThrottle(throttle: NrpThrottle): void {
    this.readBucket = throttle.reads ? new Bucket(throttle.reads, this.options.clock) : undefined;
    this.writeBucket = throttle.writes ? new Bucket(throttle.writes, this.options.clock) : undefined;
  }

  setLatency(latency: NrpLatency): void {
    const o = this.options;
    const next = resolveOptions({ subscriptionId: o.subscriptionId, resourceGroup: o.resourceGroup, location: o.location, latency });
    this.options.writeMs = next.writeMs;
    this.options.lbCreateMs = next.lbCreateMs;
  }

  onWrite(listener: (operation: string) => void): () => void {
    this.writeListeners.add(listener);
    return () => this.writeListeners.delete(listener);
  }

  addressServices(location: string, address: string): readonly string[] | undefined {
    const services = this.store.locations.get(location)?.get(address);
    return services ? [...services] : undefined;
  }

  serviceType(name: string): NrpServiceType | undefined {
    return this.store.services.get(name.toLowerCase())?.type;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const [res, timer] of this.held) {
      clearTimeout(timer);
      res.destroy();
    }
    this.held.clear();
    for (const [timer, wake] of this.delays) {
      clearTimeout(timer);
      wake();
    }
    this.delays.clear();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'http://simulator.invalid');
    const raw = await readBody(req);
    const routed = routeOf(method, url.pathname);
    if (routed instanceof ArmError) {
      this.counters.count('unrouted');
      this.send(req, res, errorReply(routed));
      return;
    }
    this.counters.count(routed.operation);

    const refused = this.admission(req, url, routed);
    if (refused) {
      this.send(req, res, refused);
      return;
    }
    const apiVersion = url.searchParams.get('api-version') ?? '';
    const body = parseJson(raw, method);
    const call = {
      route: routed.route,
      body: (): unknown => {
        if (!body.ok) throw body.error;
        return body.value;
      },
      query: url.searchParams,
      pathname: url.pathname,
      apiVersion,
      ifMatch: header(req, 'if-match'),
      ifNoneMatch: header(req, 'if-none-match'),
    };
    const run = (): Reply => {
      try {
        return this.handlers.handle(call);
      } catch (e) {
        if (e instanceof ArmError) return errorReply(e);
        throw e;
      }
    };

    const fault = this.faults.take(routed.operation, routed.write);
    if (fault) {
      if (fault.latencyMs) await this.delay(fault.latencyMs);
      if (fault.status !== undefined) {
        if (fault.applied) run();
        if (fault.status === 'timeout') {
          this.hold(res);
          return;
        }
        if (fault.status === 429) this.counters.throttled();
        this.send(req, res, faultReply(fault, fault.status));
        return;
      }
    }
    const isSyncPost = routed.route.kind === 'serviceGateway' && routed.write && this.options.syncPostStatus === 200;
    if (isSyncPost && this.options.writeMs > 0) await this.delay(this.options.writeMs);
    const reply = run();
    this.send(req, res, reply);
    if (routed.write && reply.status < 400) for (const l of [...this.writeListeners]) l(routed.operation);
  }

  /** api-version, authentication, subscription / resource group, throttling: an error reply, or undefined. */
  private admission(req: IncomingMessage, url: URL, routed: Routed): Reply | undefined {
    const o = this.options;
    const v = url.searchParams.get('api-version');
    if (v === null || v === '') {
      return errorReply(new ArmError(400, 'MissingApiVersionParameter', "The api-version query parameter (?api-version=) is required for all requests."));
    }
    const supported = o.apiVersions.join(', ');
    if (!API_VERSION_SHAPE.test(v)) {
      return errorReply(new ArmError(400, 'InvalidApiVersionParameter', `The api-version '${v}' is invalid. The supported versions are '${supported}'.`));
    }
    if (!o.apiVersions.includes(v)) {
      return errorReply(new ArmError(400, 'NoRegisteredProviderFound',
        `No registered resource provider found for location '${o.location}' and API version '${v}' for type '${routed.operation.split('.')[0] ?? ''}'. ` +
        `The supported api-versions are '${supported}'.`));
    }
    if (o.requireAuth && !/^Bearer\s+\S+/i.test(header(req, 'authorization') ?? '')) {
      return errorReply(new ArmError(401, 'AuthenticationFailed', "Authentication failed. The 'Authorization' header is missing or is not a Bearer token."));
    }
    if (routed.subscriptionId.toLowerCase() !== o.subscriptionId.toLowerCase()) {
      return errorReply(new ArmError(404, 'SubscriptionNotFound', `The subscription '${routed.subscriptionId}' could not be found.`));
    }
    if (routed.resourceGroup !== undefined && routed.resourceGroup.toLowerCase() !== o.resourceGroup.toLowerCase()) {
      return errorReply(new ArmError(404, 'ResourceGroupNotFound', `Resource group '${routed.resourceGroup}' could not be found.`));
    }
    const bucket = routed.write ? this.writeBucket : this.readBucket;
    if (bucket) {
      const verdict = bucket.take();
      if (!verdict.allowed) {
        this.counters.throttled();
        const kind = routed.write ? 'write' : 'read';
        return errorReply(new ArmError(429, 'SubscriptionRequestsThrottled',
          `Number of ${kind} requests for subscription '${o.subscriptionId}' exceeded the limit. ` +
          `Please try again after '${verdict.retryAfterSeconds}' seconds after additional tokens are available.`,
          { 'Retry-After': String(verdict.retryAfterSeconds), [`x-ms-ratelimit-remaining-subscription-${kind}s`]: '0' }));
      }
    }
    return undefined;
  }

  private hold(res: ServerResponse): void {
    const timer = setTimeout(() => {
      this.held.delete(res);
      res.destroy();
    }, this.options.timeoutHoldMs);
    this.held.set(res, timer);
    res.once('close', () => {
      const t = this.held.get(res);
      if (t) clearTimeout(t);
      this.held.delete(res);
    });
  }

  private delay(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.delays.delete(timer);
        resolve();
      }, ms);
      this.delays.set(timer, resolve);
    });
  }

  private send(req: IncomingMessage, res: ServerResponse, reply: Reply): void {
    if (this.stopped || res.destroyed || res.headersSent) return;
    this.requestSeq += 1;
    const requestId = sequenceGuid(0x4e5, this.requestSeq);
    const headers: Record<string, string> = {
      'x-ms-request-id': requestId,
      'x-ms-correlation-request-id': header(req, 'x-ms-correlation-request-id') ?? requestId,
      ...(header(req, 'x-ms-client-request-id') ? { 'x-ms-client-request-id': header(req, 'x-ms-client-request-id') ?? '' } : {}),
      ...reply.headers,
    };
    if (reply.body === undefined) {
      res.writeHead(reply.status, { ...headers, 'content-length': '0' });
      res.end();
      return;
    }
    const text = JSON.stringify(reply.body);
    res.writeHead(reply.status, {
      ...headers,
      'content-type': 'application/json; charset=utf-8',
      'content-length': String(Buffer.byteLength(text)),
    });
    res.end(text);
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function errorReply(e: ArmError): Reply {
  return { status: e.status, headers: e.headers, body: e.body() };
}

function faultReply(fault: NrpFault, status: number): Reply {
  const code = fault.code ?? defaultFaultCode(status);
  const message = fault.message ?? `Injected fault: ${status} ${code} for ${fault.operation}.`;
  const headers: Record<string, string> = fault.retryAfterSeconds !== undefined ? { 'Retry-After': String(fault.retryAfterSeconds) } : {};
  return errorReply(new ArmError(status, code, message, headers));
}

async function readBody(req: IncomingMessage): Promise<Buffer | ArmError> {
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) tooLarge = true;
    else chunks.push(chunk);
  }
  if (tooLarge) return new ArmError(413, 'RequestContentTooLarge', `The request content is larger than ${MAX_BODY_BYTES} bytes.`);
  return Buffer.concat(chunks);
}

function parseJson(raw: Buffer | ArmError, method: string): ParsedBody {
  if (raw instanceof ArmError) return { ok: false, error: raw };
  const text = raw.toString('utf8');
  if (text.trim() === '') {
    return method === 'PUT' || method === 'POST'
      ? { ok: false, error: new ArmError(400, 'InvalidRequestContent', 'The request content was invalid and could not be deserialized: the body is empty.') }
      : { ok: true, value: undefined };
  }
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (e) {
    return {
      ok: false,
      error: new ArmError(400, 'InvalidRequestContent',
        `The request content was invalid and could not be deserialized: '${e instanceof Error ? e.message : String(e)}'.`),
    };
  }
}

/** Starts the simulator on 127.0.0.1 (OS-chosen port unless given). The subscription, resource group, VNet and Service Gateway exist. */
export async function startNrpSimulator(options: NrpSimulatorOptions): Promise<NrpSimulator & NrpRuntimeControls> {
  const s = new NrpServer(resolveOptions(options));
  await s.listen();
  const o = s.options;
  return {
    baseUrl: s.baseUrl,
    port: s.port(),
    subscriptionId: o.subscriptionId,
    resourceGroup: o.resourceGroup,
    location: o.location,
    serviceGatewayName: o.serviceGatewayName,
    serviceGatewayId: s.store.serviceGatewayId,
    virtualNetworkId: s.store.virtualNetworkId,
    stop: () => s.stop(),
    faults: {
      arm: (fault) => s.faults.arm(fault),
      clear: () => s.faults.clear(),
      pending: () => s.faults.pending(),
    },
    calls: (opts) => s.counters.snapshot(opts?.includeReads ?? false),
    resetCalls: () => s.counters.reset(),
    snapshot: () => snapshotOf(s.store),
    setLatency: (latency) => s.setLatency(latency),
    setThrottle: (throttle) => s.setThrottle(throttle),
    onWrite: (listener) => s.onWrite(listener),
    addressServices: (location, address) => s.addressServices(location, address),
    serviceType: (name) => s.serviceType(name),
  };
}
