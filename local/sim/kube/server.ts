// Kubernetes API simulator: an HTTP (no TLS) API server for core/v1 services, pods, nodes,
// events and namespaces and discovery.k8s.io/v1 endpointslices. See local/sim/kube/README.md.
//
// Each request goes: route → health (open) → bearer token → discovery, or
// verb → armed fault → body → handler → JSON reply (or a watch stream).
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Admin } from './admin.ts';
import { apiGroupDocument, apiGroupList, apiResourceList, apiVersions, SERVER_VERSION } from './discovery.ts';
import { FaultTable } from './faults.ts';
import { ResourceHandlers, boolParam, reply } from './handlers.ts';
import { header, negotiate, readBody, sendError, sendJson } from './http.ts';
import { kubeconfigFor, writeKubeconfigFile } from './kubeconfig.ts';
import { openApiReply } from './openapi.ts';
import { Registry } from './registry.ts';
import { resourceOfKind } from './resources.ts';
import { routeOf, verbOf } from './routes.ts';
import type { Route } from './routes.ts';
import { injected, internalError, KubeApiError, methodNotAllowed, pathNotFound, unauthorized } from './status.ts';
import { KubeStore } from './store.ts';
import { resolveOptions } from './types.ts';
import type { KubeSimulator, KubeSimulatorOptions, RequestRecord, ResolvedOptions } from './types.ts';
import { WatchHub } from './watch.ts';
import { listenHttp } from '../serve.ts';

export type { KubeFault, KubeObject, KubeSimulator, KubeSimulatorOptions, KubeVerb, RequestRecord } from './types.ts';
export { KubeApiError } from './status.ts';

const INITIAL_NAMESPACES = ['default', 'kube-system'];

class KubeServer {
  readonly options: ResolvedOptions;
  readonly store: KubeStore;
  readonly registry: Registry;
  readonly watches: WatchHub;
  readonly admin: Admin;
  readonly faults = new FaultTable();
  readonly log: RequestRecord[] = [];
  private readonly handlers: ResourceHandlers;
  private readonly server: Server;
  private stopped = false;
  url = '';

  constructor(options: ResolvedOptions) {
    this.options = options;
    this.store = new KubeStore(options.historySize);
    this.registry = new Registry(this.store, options.clock);
    this.watches = new WatchHub(this.store, options.bookmarkIntervalMs);
    this.admin = new Admin(this.registry, this.store);
    this.handlers = new ResourceHandlers(this.registry, this.store, this.watches, options.clock);
    for (const name of INITIAL_NAMESPACES) this.registry.create(resourceOfKind('Namespace'), null, { metadata: { name } });
    this.server = createServer((req, res) => {
      this.serve(req, res).catch((err: unknown) => {
        const e = err instanceof KubeApiError ? err : internalError(err instanceof Error ? err.stack ?? err.message : String(err));
        this.answer(req, res, () => sendError(res, e), e.status);
      });
    });
  }

  async listen(): Promise<void> {
    this.url = await listenHttp(this.server, this.options.port, this.options.host);
  }

  port(): number {
    return (this.server.address() as AddressInfo | null)?.port ?? 0;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.watches.closeAll();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  /** Records the request, then sends its reply. */
  private answer(req: IncomingMessage, res: ServerResponse, send: () => void, status: number): void {
    const url = new URL(req.url ?? '/', 'http://simulator.invalid');
    this.log.push({ method: (req.method ?? 'GET').toUpperCase(), path: url.pathname, query: url.search.replace(/^\?/, ''), status });
    send();
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'http://simulator.invalid');
    const body = await readBody(req);
    const route = routeOf(url.pathname);
    if (route.kind === 'health') {
      this.answer(req, res, () => {
        res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': '2' });
        res.end('ok');
      }, 200);
      return;
    }
    const authorization = header(req, 'authorization');
    if (authorization === undefined ? !this.options.anonymous : authorization !== `Bearer ${this.options.token}`) throw unauthorized();
    if (route.kind !== 'resource') {
      const r = this.discovery(route, req);
      if (r.status === 200 && r.raw !== undefined) {
        const raw = r.raw;
        this.answer(req, res, () => {
          res.writeHead(200, { 'Content-Type': raw.contentType, 'Content-Length': String(raw.bytes.length) });
          res.end(raw.bytes);
        }, 200);
        return;
      }
      this.answer(req, res, () => sendJson(res, r.status, r.body), r.status);
      return;
    }
    if (method !== 'GET' && method !== 'POST' && method !== 'PUT' && method !== 'PATCH' && method !== 'DELETE') throw methodNotAllowed();
    const verb = verbOf(method, route, method === 'GET' && boolParam(url.searchParams, 'watch'));
    if (verb === undefined) throw methodNotAllowed();
    const target = route.subresource ? `${route.resource.plural}/${route.subresource}` : route.resource.plural;
    const fault = this.faults.take(verb, target, route.name);
    if (fault) throw injected(fault.status, `${verb} ${target}`, fault.retryAfterSeconds);
    const readVerb = verb === 'get' || verb === 'list' || verb === 'watch';
    const output = readVerb ? negotiate(header(req, 'accept')) : { kind: 'json' as const };
    const result = this.handlers.handle({ verb, route, query: url.searchParams, body, contentType: header(req, 'content-type'), output, res });
    if (result === undefined) {
      this.answer(req, res, () => undefined, 200);
      return;
    }
    this.answer(req, res, () => reply(res, result), result.status);
  }

  private discovery(route: Exclude<Route, { kind: 'resource' | 'health' }>, req: IncomingMessage): { status: number; body?: unknown; raw?: { contentType: string; bytes: Buffer } } {
    const notFound = { status: 404, body: pathNotFound().body() };
    switch (route.kind) {
      case 'version': return { status: 200, body: SERVER_VERSION };
      case 'api': return { status: 200, body: apiVersions(header(req, 'host') ?? '') };
      case 'apis': return { status: 200, body: apiGroupList() };
      case 'group': {
        const doc = apiGroupDocument(route.group);
        return doc ? { status: 200, body: doc } : notFound;
      }
      case 'groupVersion': {
        const doc = apiResourceList(route.apiVersion);
        return doc ? { status: 200, body: doc } : notFound;
      }
      case 'openapi': return openApiReply(route.version, route.rest) ?? notFound;
      case 'unknown': return notFound;
    }
    return notFound;
  }
}

/** Starts the simulator (127.0.0.1, OS-chosen port unless given) with namespaces `default` and `kube-system`. */
export async function startKubeSimulator(options: KubeSimulatorOptions = {}): Promise<KubeSimulator> {
  const s = new KubeServer(resolveOptions(options));
  await s.listen();
  const kubeconfig = (): ReturnType<KubeSimulator['kubeconfig']> => kubeconfigFor(s.url, s.options.token);
  return {
    url: s.url,
    port: s.port(),
    kubeconfig,
    writeKubeconfig: (path) => writeKubeconfigFile(path, kubeconfig()),
    apply: (obj) => s.admin.apply(obj),
    delete: (kind, namespace, name) => s.admin.delete(kind, namespace, name),
    get: (kind, namespace, name) => s.admin.get(kind, namespace, name),
    list: (kind, namespace) => s.admin.list(kind, namespace),
    events: () => s.admin.events(),
    resourceVersion: () => String(s.store.resourceVersion()),
    compact: () => s.store.compact(),
    closeWatches: () => s.watches.closeAll(),
    expireWatches: () => s.watches.expireAll(),
    faults: { arm: (f) => s.faults.arm(f), clear: () => s.faults.clear() },
    requests: () => s.log.map((r) => ({ ...r })),
    stop: () => s.stop(),
  };
}
