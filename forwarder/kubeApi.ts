// The forwarder's Kubernetes client: raw JSON over the credentials and TLS settings of a
// @kubernetes/client-node KubeConfig (in-cluster service account, kubeconfig files, exec plugins).
// Raw rather than the generated typed clients because the engine's parsers read the wire JSON: the
// typed clients turn timestamps into Date objects and drop fields they do not model, while a watch
// delivers plain JSON; one shape for lists, watches and writes keeps them comparable.
import type { KubeConfig } from '@kubernetes/client-node';
import { HttpMethod, RequestContext, Watch } from '@kubernetes/client-node';
import { fetch } from 'undici';

export class KubeApiError extends Error {
  readonly status: number;
  /** The Status reason (`NotFound`, `Conflict`, `Expired`, …) or `''`. */
  readonly reason: string;
  /** How long the server asked us to wait (`Retry-After`, sent with 429s and some 5xx). */
  readonly retryAfterSeconds: number | undefined;

  constructor(status: number, reason: string, message: string, options: { readonly retryAfterSeconds?: number | undefined } = {}) {
    super(message);
    this.name = 'KubeApiError';
    this.status = status;
    this.reason = reason;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

export type Json = Readonly<Record<string, unknown>>;

export interface KubeList {
  readonly resourceVersion: string;
  readonly continueToken: string | null;
  readonly items: readonly unknown[];
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchHandle {
  abort(): void;
}

export type PatchContentType = 'application/merge-patch+json' | 'application/json-patch+json';

function isJson(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `v` as a JSON object, or null when it is anything else (wire JSON arrives as `unknown`). */
export function jsonObject(v: unknown): Json | null {
  return isJson(v) ? v : null;
}

/**
 * The wait a failed answer asks for: the `Retry-After` header in seconds (kube-apiserver never
 * sends the HTTP-date form), else the Status body's `details.retryAfterSeconds`.
 */
export function retryAfterSecondsOf(header: string | null, body: unknown): number | undefined {
  const h = header?.trim() ?? '';
  if (/^\d+$/.test(h)) return Number(h);
  const details = isJson(body) && isJson(body['details']) ? body['details'] : {};
  const s = details['retryAfterSeconds'];
  return typeof s === 'number' && Number.isInteger(s) && s >= 0 ? s : undefined;
}

function errorOf(status: number, body: unknown, fallback: string, retryAfter: string | null): KubeApiError {
  const reason = isJson(body) && typeof body['reason'] === 'string' ? body['reason'] : '';
  const message = isJson(body) && typeof body['message'] === 'string' ? body['message'] : fallback;
  return new KubeApiError(status, reason, message, { retryAfterSeconds: retryAfterSecondsOf(retryAfter, body) });
}

/**
 * A watch's end as this module reports errors: an HTTP status as KubeApiError, the library's
 * inactivity timeout as a normal end (the watch is simply re-opened from the last version).
 */
function watchError(err: unknown): unknown {
  if (err === null || err === undefined) return null;
  if (err instanceof Error && err.name === 'TimeoutError') return null;
  const status = typeof err === 'object' && 'statusCode' in err ? err.statusCode : undefined;
  if (typeof status === 'number') return new KubeApiError(status, '', err instanceof Error ? err.message : `HTTP ${status}`);
  return err;
}

export interface RequestOptions {
  readonly query?: Readonly<Record<string, string | undefined>> | undefined;
  readonly body?: unknown;
  readonly contentType?: string | undefined;
  readonly signal?: AbortSignal | undefined;
}

export class KubeApi {
  private readonly kc: KubeConfig;

  constructor(kc: KubeConfig) {
    this.kc = kc;
  }

  private server(): string {
    const cluster = this.kc.getCurrentCluster();
    if (!cluster) throw new Error('kubeconfig has no current cluster');
    return cluster.server.replace(/\/+$/, '');
  }

  /** One request; a non-2xx answer throws KubeApiError with the Status reason. */
  async request(method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', path: string, options: RequestOptions = {}): Promise<Json> {
    const url = new URL(this.server() + path);
    for (const [k, v] of Object.entries(options.query ?? {})) if (v !== undefined) url.searchParams.set(k, v);
    const ctx = new RequestContext(url.toString(), HttpMethod[method]);
    await this.kc.applySecurityAuthentication(ctx);
    const headers = ctx.getHeaders();
    headers['Accept'] = 'application/json';
    if (options.body !== undefined) headers['Content-Type'] = options.contentType ?? 'application/json';
    const response = await fetch(url, {
      method,
      headers,
      dispatcher: ctx.getDispatcher(),
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal ?? AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    let body: unknown = null;
    try {
      body = text === '' ? null : JSON.parse(text);
    } catch {
      body = null;
    }
    if (response.status < 200 || response.status > 299) throw errorOf(response.status, body, `${method} ${path}: HTTP ${response.status}`, response.headers.get('retry-after'));
    if (!isJson(body)) throw new KubeApiError(response.status, '', `${method} ${path}: the answer is not a JSON object`);
    return body;
  }

  /** One page of a list. */
  async listPage(path: string, query: Readonly<Record<string, string | undefined>>, signal?: AbortSignal): Promise<KubeList> {
    const body = await this.request('GET', path, { query, signal });
    const meta = isJson(body['metadata']) ? body['metadata'] : {};
    const items = Array.isArray(body['items']) ? (body['items'] as unknown[]) : [];
    const rv = typeof meta['resourceVersion'] === 'string' ? meta['resourceVersion'] : '';
    const cont = typeof meta['continue'] === 'string' && meta['continue'] !== '' ? meta['continue'] : null;
    if (rv === '') throw new KubeApiError(500, '', `list ${path}: no metadata.resourceVersion`);
    return { resourceVersion: rv, continueToken: cont, items };
  }

  /**
   * A watch through client-node's Watch (chunked stream, line parsing, the library's inactivity
   * timeout). `done` is called once, with the error if there was one.
   */
  async watch(
    path: string,
    query: Readonly<Record<string, string | undefined>>,
    onEvent: (type: WatchEventType, object: unknown) => void,
    done: (err: unknown) => void,
  ): Promise<WatchHandle> {
    const params: Record<string, string> = {};
    for (const [k, v] of Object.entries(query)) if (v !== undefined) params[k] = v;
    const finish = (err: unknown): void => done(watchError(err));
    const controller = await new Watch(this.kc).watch(path, params, (type: string, object: unknown) => onEvent(type as WatchEventType, object), finish);
    return { abort: () => controller.abort() };
  }
}
