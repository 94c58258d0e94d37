// List-then-watch for one kind, forever: a paged list (the snapshot), then a watch from the list's
// resourceVersion with bookmarks so a quiet kind keeps a fresh resourceVersion, a relist when the
// server says the version expired (410), and a retry with capped, jittered backoff after any other
// failure. It never gives up on its own: a kind that cannot list or watch for a long time is
// reported by `stalledFor`, which fails the liveness probe so that Kubernetes restarts the pod.
//
// client-node's ListWatch does much of this, but it asks for no bookmarks, stops for good on the
// first non-410 error, does not page its list, and hands out the list as typed objects and the
// watch as JSON; the snapshot marker also needs the exact list boundary. See ADR 0006.
import type { KubeApi, WatchEventType, WatchHandle } from './kubeApi.ts';
import { KubeApiError, jsonObject } from './kubeApi.ts';
import type { Logger } from './log.ts';
import { errorText } from './log.ts';
import { pause, retryDelayMs } from './pause.ts';
import type { WatchedKind } from './watchedKinds.ts';

export interface ReflectorHandlers {
  /** Every object of a complete list, and the list's resourceVersion. */
  snapshot(items: readonly unknown[], resourceVersion: string): void;
  upsert(object: unknown): void;
  delete(object: unknown): void;
}

export interface ReflectorOptions {
  readonly kind: WatchedKind;
  readonly api: KubeApi;
  readonly handlers: ReflectorHandlers;
  readonly log: Logger;
  readonly pageSize?: number | undefined;
  /** Server-side watch timeout; the watch is then re-opened from the last resourceVersion. */
  readonly watchTimeoutSeconds?: number | undefined;
  readonly minBackoffMs?: number | undefined;
  readonly maxBackoffMs?: number | undefined;
  readonly onRelist?: ((reason: 'start' | 'expired' | 'requested' | 'error') => void) | undefined;
  readonly onWatchRestart?: ((reason: 'ended' | 'error') => void) | undefined;
  readonly now?: (() => number) | undefined;
  readonly random?: (() => number) | undefined;
}

type WatchEnd = { readonly relist: boolean; readonly error: unknown };

function resourceVersionOf(object: unknown): string | null {
  const rv = jsonObject(jsonObject(object)?.['metadata'])?.['resourceVersion'];
  return typeof rv === 'string' && rv !== '' ? rv : null;
}

export class Reflector {
  private readonly o: ReflectorOptions;
  private readonly now: () => number;
  private readonly random: () => number;
  private resourceVersion: string | null = null;
  /** The newest resourceVersion the kind was listed or watched at; kept across relists. */
  private newestSeen: string | null = null;
  private relistReason: 'start' | 'expired' | 'requested' | 'error' = 'start';
  /** A relist asked for while a list was running: that list may predate the reason. */
  private relistPending = false;
  private stopped = false;
  private current: WatchHandle | null = null;
  private endCurrent: ((end: WatchEnd) => void) | null = null;
  /** Aborted to cut a backoff short (relist, stop). */
  private wake: AbortController | null = null;
  private loop: Promise<void> | null = null;
  private lastProgress: number;
  private synced = false;

  constructor(options: ReflectorOptions) {
    this.o = options;
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.lastProgress = this.now();
  }

  get hasSynced(): boolean {
    return this.synced;
  }

  /** A resourceVersion no older than any object of the kind this reflector passed on, or null before the first list. */
  get newestResourceVersion(): string | null {
    return this.newestSeen;
  }

  /** How long the kind has gone without a successful list or a live watch (0 when healthy). */
  stalledFor(): number {
    return this.current !== null ? 0 : Math.max(0, this.now() - this.lastProgress);
  }

  start(): void {
    if (this.loop !== null) return;
    this.loop = this.run();
  }

  /** Forces a fresh list (after the outbox dropped a change of this kind). */
  relist(): void {
    this.resourceVersion = null;
    this.relistPending = true;
    this.relistReason = 'requested';
    this.finishWatch({ relist: true, error: null });
    this.wake?.abort();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.finishWatch({ relist: false, error: null });
    this.wake?.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      try {
        if (this.resourceVersion === null || this.relistPending) {
          this.relistPending = false;
          await this.list();
          continue;
        }
        const end = await this.watchOnce();
        if (end.relist) {
          this.resourceVersion = null;
          this.relistReason = end.error === null ? this.relistReason : 'expired';
        }
        if (end.error !== null && !end.relist) throw end.error instanceof Error ? end.error : new Error(errorText(end.error));
        failures = 0;
        this.o.onWatchRestart?.('ended');
      } catch (e) {
        if (this.stopped) break;
        failures++;
        const expired = e instanceof KubeApiError && e.status === 410;
        if (expired) {
          this.resourceVersion = null;
          this.relistReason = 'expired';
          continue;
        }
        if (this.resourceVersion === null) this.relistReason = 'error';
        this.o.onWatchRestart?.('error');
        const delay = this.backoff(failures);
        this.o.log.warn('list/watch failed; retrying', { kind: this.o.kind.objectKind, error: errorText(e), retryInMs: delay, failures });
        await this.sleep(delay);
      }
    }
  }

  private backoff(failures: number): number {
    return retryDelayMs(failures, this.o.minBackoffMs ?? 500, this.o.maxBackoffMs ?? 30_000, this.random);
  }

  private async sleep(ms: number): Promise<void> {
    const wake = new AbortController();
    this.wake = wake;
    await pause(ms, wake.signal);
    this.wake = null;
  }

  private async list(): Promise<void> {
    const { kind, api } = this.o;
    const pageSize = this.o.pageSize ?? 500;
    const items: unknown[] = [];
    let continueToken: string | null = null;
    let resourceVersion = '';
    do {
      const page = await api.listPage(kind.path, { labelSelector: kind.labelSelector, limit: String(pageSize), continue: continueToken ?? undefined });
      items.push(...page.items);
      // Every page of one list is served at the first page's resourceVersion.
      if (resourceVersion === '') resourceVersion = page.resourceVersion;
      continueToken = page.continueToken;
      if (this.stopped) return;
    } while (continueToken !== null);
    this.o.onRelist?.(this.relistReason);
    this.o.handlers.snapshot(items, resourceVersion);
    this.resourceVersion = resourceVersion;
    this.newestSeen = resourceVersion;
    this.synced = true;
    this.lastProgress = this.now();
    this.o.log.info('listed', { kind: kind.objectKind, objects: items.length, resourceVersion, reason: this.relistReason });
  }

  private async watchOnce(): Promise<WatchEnd> {
    const { kind, api } = this.o;
    const timeout = this.o.watchTimeoutSeconds ?? 300;
    const ended = new Promise<WatchEnd>((resolve) => {
      this.endCurrent = resolve;
    });
    const query = {
      resourceVersion: this.resourceVersion ?? undefined,
      allowWatchBookmarks: 'true',
      // Spread re-watches of the kinds (and of many forwarders) over time.
      timeoutSeconds: String(Math.round(timeout * (0.75 + this.random() * 0.5))),
      labelSelector: kind.labelSelector,
    };
    try {
      this.current = await api.watch(kind.path, query, (type, object) => this.onEvent(type, object), (err) => this.finishWatch({ relist: err instanceof KubeApiError && err.status === 410, error: err ?? null }));
    } catch (e) {
      this.finishWatch({ relist: false, error: e });
    }
    if (this.stopped) this.current?.abort();
    const end = await ended;
    this.current = null;
    this.lastProgress = this.now();
    return end;
  }

  private finishWatch(end: WatchEnd): void {
    const finish = this.endCurrent;
    this.endCurrent = null;
    this.current?.abort();
    finish?.(end);
  }

  private onEvent(type: WatchEventType, object: unknown): void {
    if (this.stopped || this.endCurrent === null) return;
    this.lastProgress = this.now();
    switch (type) {
      case 'ADDED':
      case 'MODIFIED':
        this.o.handlers.upsert(object);
        break;
      case 'DELETED':
        this.o.handlers.delete(object);
        break;
      case 'BOOKMARK':
        break;
      case 'ERROR': {
        const status = jsonObject(object);
        const code = typeof status?.['code'] === 'number' ? status['code'] : 500;
        const message = typeof status?.['message'] === 'string' ? status['message'] : 'watch error';
        this.finishWatch({ relist: code === 410, error: new KubeApiError(code, typeof status?.['reason'] === 'string' ? status['reason'] : '', message) });
        return;
      }
      default:
        this.o.log.warn('unknown watch event type', { kind: this.o.kind.objectKind, type: String(type) });
        return;
    }
    const rv = resourceVersionOf(object);
    if (rv !== null) {
      this.resourceVersion = rv;
      this.newestSeen = rv;
    }
  }
}
