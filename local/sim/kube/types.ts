// Public options and interface of the Kubernetes API simulator (see README.md).

/** A Kubernetes object as the wire carries it. */
export type KubeObject = Record<string, unknown>;

export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export type KubeVerb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete';

export interface KubeFault {
  /** Any verb when absent. */
  readonly verb?: KubeVerb | undefined;
  /** A plural (`services`) or a subresource (`services/status`); any resource when absent. */
  readonly resource?: string | undefined;
  /** The object's name (`metadata.name`); any object, and collections, when absent. */
  readonly name?: string | undefined;
  readonly status: number;
  readonly times: number;
  /** Sent as `Retry-After` (and `details.retryAfterSeconds`) on a 429. */
  readonly retryAfterSeconds?: number | undefined;
}

export interface RequestRecord {
  readonly method: string;
  readonly path: string;
  /** The query string without its `?`. */
  readonly query: string;
  readonly status: number;
}

export interface KubeSimulatorOptions {
  /** Default 127.0.0.1. */
  readonly host?: string | undefined;
  /** Default 0 (OS-chosen). */
  readonly port?: number | undefined;
  /** The bearer token every request must carry. Default `kube-sim-token`. */
  readonly token?: string | undefined;
  /**
   * Serve requests that carry no Authorization header (a wrong token is still 401). Default false.
   * kubectl needs it: client-go's clientcmd never sends credentials to an http:// server.
   */
  readonly anonymous?: boolean | undefined;
  /** How often a watch with `allowWatchBookmarks=true` gets a BOOKMARK. Default 60,000. */
  readonly bookmarkIntervalMs?: number | undefined;
  /** Change events kept for watches and continue tokens. Default 10,000. */
  readonly historySize?: number | undefined;
  /** Source of creationTimestamp, deletionTimestamp and the Age column. */
  readonly clock?: Clock | undefined;
}

export interface ResolvedOptions {
  readonly host: string;
  readonly port: number;
  readonly token: string;
  readonly anonymous: boolean;
  readonly bookmarkIntervalMs: number;
  readonly historySize: number;
  readonly clock: Clock;
}

export const DEFAULT_TOKEN = 'kube-sim-token';

export function resolveOptions(o: KubeSimulatorOptions): ResolvedOptions {
  const historySize = o.historySize ?? 10_000;
  if (!(Number.isInteger(historySize) && historySize >= 1)) throw new Error('kube simulator: historySize must be a whole number >= 1');
  const bookmarkIntervalMs = o.bookmarkIntervalMs ?? 60_000;
  if (!(bookmarkIntervalMs > 0)) throw new Error('kube simulator: bookmarkIntervalMs must be > 0');
  return {
    host: o.host ?? '127.0.0.1',
    port: o.port ?? 0,
    token: o.token ?? DEFAULT_TOKEN,
    anonymous: o.anonymous ?? false,
    bookmarkIntervalMs,
    historySize,
    clock: o.clock ?? systemClock,
  };
}

export interface KubeconfigDocument {
  apiVersion: 'v1';
  kind: 'Config';
  clusters: { name: string; cluster: { server: string; 'insecure-skip-tls-verify': true } }[];
  users: { name: string; user: { token: string } }[];
  contexts: { name: string; context: { cluster: string; user: string; namespace: string } }[];
  'current-context': string;
}

export interface KubeSimulator {
  readonly url: string;
  readonly port: number;
  kubeconfig(): KubeconfigDocument;
  /** Writes kubeconfig() as YAML. */
  writeKubeconfig(path: string): Promise<void>;
  /**
   * Creates the object, or replaces what a user owns of the existing one (everything but metadata
   * and status, plus labels, annotations and ownerReferences; status only when given). Keeps the
   * uid unless one is given, and the finalizers and deletionTimestamp of an existing object.
   * Throws KubeApiError on invalid input.
   */
  apply(obj: KubeObject): KubeObject;
  /** Deletes with finalizer semantics: the object when it stays terminating, else null. Throws 404 when absent. */
  delete(kind: string, namespace: string | null, name: string): KubeObject | null;
  get(kind: string, namespace: string | null, name: string): KubeObject | undefined;
  list(kind: string, namespace?: string): KubeObject[];
  /** core/v1 Events in creation order. */
  events(): KubeObject[];
  /** The current global resourceVersion. */
  resourceVersion(): string;
  /** Drops the whole change history: a watch or continue token from an older resourceVersion then gets 410. */
  compact(): void;
  /** Ends every open watch normally; clients re-watch from their last resourceVersion. */
  closeWatches(): void;
  /** Sends ERROR 410 Expired to every open watch and ends it; clients relist. */
  expireWatches(): void;
  readonly faults: { arm(f: KubeFault): void; clear(): void };
  requests(): readonly RequestRecord[];
  stop(): Promise<void>;
}
