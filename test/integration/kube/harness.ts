// Shared helpers for the Kubernetes API simulator tests: the real @kubernetes/client-node 2.0.1
// pointed at the simulator, raw HTTP for what the client does not expose, and a watch recorder.
import assert from 'node:assert/strict';
import { ApiException, CoreV1Api, DiscoveryV1Api, KubeConfig, PatchStrategy, Watch, setHeaderOptions } from '@kubernetes/client-node';
import { startKubeSimulator } from '../../../local/sim/kube/server.ts';
import type { KubeObject, KubeSimulator, KubeSimulatorOptions } from '../../../local/sim/kube/server.ts';

export interface Clients {
  readonly kc: KubeConfig;
  readonly core: CoreV1Api;
  readonly discovery: DiscoveryV1Api;
}

export function clientsFor(sim: KubeSimulator): Clients {
  const kc = new KubeConfig();
  kc.loadFromString(JSON.stringify(sim.kubeconfig()));
  return { kc, core: kc.makeApiClient(CoreV1Api), discovery: kc.makeApiClient(DiscoveryV1Api) };
}

export async function startSim(options: KubeSimulatorOptions = {}): Promise<KubeSimulator & Clients> {
  const sim = await startKubeSimulator(options);
  return { ...sim, ...clientsFor(sim) };
}

/** The generated client picks json-patch unless told otherwise. */
export const MERGE_PATCH = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
export const STRATEGIC_PATCH = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);
export const JSON_PATCH = setHeaderOptions('Content-Type', PatchStrategy.JsonPatch);

export interface StatusFailure {
  readonly code: number;
  readonly reason: string;
  readonly message: string;
  readonly details: Record<string, unknown> | undefined;
}

/** Awaits a rejected client call; returns its HTTP code and the Status body the server sent. */
export async function failureOf(call: Promise<unknown>): Promise<StatusFailure> {
  const e: unknown = await call.then(() => undefined, (err: unknown) => err);
  assert.ok(e instanceof ApiException, `expected an ApiException, got ${String(e)}`);
  const raw: unknown = e.body;
  const body = (typeof raw === 'string' ? JSON.parse(raw) : raw) as Record<string, unknown>;
  assert.equal(body['kind'], 'Status');
  assert.equal(body['code'], e.code, 'Status.code matches the HTTP status');
  return { code: e.code, reason: String(body['reason']), message: String(body['message']), details: body['details'] as Record<string, unknown> | undefined };
}

export interface RawResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  json(): Record<string, unknown>;
}

/** One HTTP request with the simulator's token unless `token` says otherwise (null: none). */
export async function raw(sim: KubeSimulator, method: string, path: string, opts: { body?: unknown; headers?: Record<string, string>; token?: string | null } = {}): Promise<RawResponse> {
  const token = opts.token === undefined ? sim.kubeconfig().users[0]?.user.token : opts.token;
  const headers: Record<string, string> = { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...opts.headers };
  let body: string | undefined;
  if (opts.body !== undefined) {
    body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
    headers['Content-Type'] ??= 'application/json';
  }
  const res = await fetch(`${sim.url}${path}`, { method, headers, body });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) as Record<string, unknown> };
}

export interface WatchEvent {
  readonly type: string;
  readonly object: Record<string, unknown>;
}

/** Records every event of one client-node watch; `until` waits for a condition on them. */
export class WatchRecorder {
  readonly events: WatchEvent[] = [];
  done: unknown = 'open';
  private controller: AbortController | undefined;
  private waiters: (() => void)[] = [];

  static async start(kc: KubeConfig, path: string, query: Record<string, string | number | boolean | undefined>): Promise<WatchRecorder> {
    const w = new WatchRecorder();
    w.controller = await new Watch(kc).watch(path, query, (type, object: Record<string, unknown>) => {
      w.events.push({ type, object });
      w.wake();
    }, (err: unknown) => {
      w.done = err ?? null;
      w.wake();
    });
    return w;
  }

  private wake(): void {
    for (const f of this.waiters.splice(0)) f();
  }

  /** Resolves once `test` holds; fails after `ms`. */
  async until(test: (w: WatchRecorder) => boolean, what: string, ms = 2000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!test(this)) {
      const left = deadline - Date.now();
      assert.ok(left > 0, `timed out waiting for ${what}; events: ${JSON.stringify(this.events.map((e) => [e.type, name(e.object)]))}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  summary(): string[] {
    return this.events.map((e) => `${e.type} ${name(e.object)}`);
  }

  stop(): void {
    this.controller?.abort();
  }
}

export function name(obj: unknown): string {
  const m = (obj as { metadata?: { name?: unknown } } | undefined)?.metadata;
  return typeof m?.name === 'string' ? m.name : '';
}

export function service(name: string, extra: { labels?: Record<string, string>; type?: string; port?: number; namespace?: string } = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: extra.namespace ?? 'default', ...(extra.labels ? { labels: extra.labels } : {}) },
    spec: { type: extra.type ?? 'LoadBalancer', selector: { app: name }, ports: [{ name: 'http', port: extra.port ?? 80, targetPort: 8080, protocol: 'TCP' }] },
  };
}

export function pod(name: string, labels: Record<string, string> = {}, namespace = 'default'): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels },
    spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] },
  };
}

export function endpointSlice(name: string, service: string, addresses: string[]): KubeObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name, namespace: 'default', labels: { 'kubernetes.io/service-name': service } },
    addressType: 'IPv4',
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    endpoints: addresses.map((a) => ({ addresses: [a], conditions: { ready: true } })),
  };
}

export function metadataOf(obj: unknown): Record<string, unknown> {
  const m = (obj as { metadata?: unknown } | undefined)?.metadata;
  assert.ok(typeof m === 'object' && m !== null, 'object has metadata');
  return m as Record<string, unknown>;
}
