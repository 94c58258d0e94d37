// Watch streams: chunked HTTP 200, one JSON event per line, replayed from the change history and
// then live. Selector semantics follow the real watch cache (cacheWatcher.convertToWatchEvent):
// an object that stops matching is sent as DELETED, one that starts matching as ADDED.
import type { ServerResponse } from 'node:http';
import { clone, meta, nameOf, namespaceOf } from './json.ts';
import { matches } from './paging.ts';
import type { Filter } from './paging.ts';
import type { ResourceInfo } from './resources.ts';
import { expired } from './status.ts';
import type { Change, KubeStore } from './store.ts';
import type { KubeObject } from './types.ts';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchRequest {
  readonly resource: ResourceInfo;
  /** undefined: every namespace. */
  readonly namespace: string | undefined;
  /** A watch on one object (GET …/name?watch=true). */
  readonly name: string | undefined;
  readonly filter: Filter;
  /** undefined or 0: start with a synthetic ADDED per current object. */
  readonly resourceVersion: number | undefined;
  readonly allowBookmarks: boolean;
  readonly timeoutSeconds: number | undefined;
  /** Turns a JSON object into what the client asked for (the object, or a Table of it). */
  readonly render: (obj: KubeObject) => KubeObject;
}

interface OpenWatch {
  readonly res: ServerResponse;
  finish(errorEvent?: KubeObject): void;
}

export const WATCH_TOO_OLD = 'The resourceVersion for the provided watch is too old.';

export class WatchHub {
  private readonly store: KubeStore;
  private readonly bookmarkIntervalMs: number;
  private readonly open = new Set<OpenWatch>();

  constructor(store: KubeStore, bookmarkIntervalMs: number) {
    this.store = store;
    this.bookmarkIntervalMs = bookmarkIntervalMs;
  }

  count(): number {
    return this.open.size;
  }

  serve(req: WatchRequest, res: ServerResponse): void {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
    res.flushHeaders();
    const send = (type: WatchEventType, object: KubeObject): void => {
      if (!res.writableEnded && !res.destroyed) res.write(`${JSON.stringify({ type, object })}\n`);
    };
    const inScope = (o: KubeObject): boolean => (req.namespace === undefined || namespaceOf(o) === req.namespace)
      && (req.name === undefined || nameOf(o) === req.name) && matches(req.resource, req.filter, o);
    const deliver = (c: Change): void => {
      if (c.resource.plural !== req.resource.plural) return;
      const now = c.type !== 'DELETED' && inScope(c.object);
      const before = c.previous !== undefined && inScope(c.previous);
      if (now && !before) send('ADDED', req.render(c.object));
      else if (now && before) send('MODIFIED', req.render(c.object));
      else if (before && c.type === 'DELETED') send('DELETED', req.render(c.object));
      else if (before && c.previous) {
        const last = clone(c.previous);
        meta(last)['resourceVersion'] = String(c.rv);
        send('DELETED', req.render(last));
      }
    };

    const from = req.resourceVersion;
    if (from === undefined || from === 0) {
      const namespace = req.namespace;
      for (const o of this.store.list(req.resource, namespace)) if (inScope(o)) send('ADDED', req.render(o));
    } else {
      const replay = this.store.changesAfter(from);
      if (!replay) {
        const oldest = this.store.oldestResourceVersion();
        send('ERROR', expired(`too old resource version: ${from} (${oldest})`).body() as unknown as KubeObject);
        res.end();
        return;
      }
      for (const c of replay) deliver(c);
    }
    const floor = from ?? 0;
    const unsubscribe = this.store.onChange((c) => {
      if (c.rv > floor) deliver(c);
    });
    const timers: NodeJS.Timeout[] = [];
    if (req.allowBookmarks) {
      const t = setInterval(() => {
        send('BOOKMARK', { kind: req.resource.kind, apiVersion: req.resource.apiVersion, metadata: { resourceVersion: String(this.store.resourceVersion()) } });
      }, this.bookmarkIntervalMs);
      t.unref();
      timers.push(t);
    }
    const entry: OpenWatch = {
      res,
      finish: (errorEvent?: KubeObject): void => {
        if (!this.open.delete(entry)) return;
        unsubscribe();
        for (const t of timers) clearInterval(t);
        if (errorEvent) send('ERROR', errorEvent);
        if (!res.writableEnded) res.end();
      },
    };
    this.open.add(entry);
    if (req.timeoutSeconds !== undefined && req.timeoutSeconds > 0) {
      const t = setTimeout(() => entry.finish(), req.timeoutSeconds * 1000);
      t.unref();
      timers.push(t);
    }
    res.once('close', () => entry.finish());
  }

  /** Ends every stream cleanly; clients re-watch from their last resourceVersion. */
  closeAll(): void {
    for (const w of [...this.open]) w.finish();
  }

  /** Ends every stream with ERROR 410, which makes clients relist. */
  expireAll(): void {
    for (const w of [...this.open]) w.finish(expired(WATCH_TOO_OLD).body() as unknown as KubeObject);
  }
}
