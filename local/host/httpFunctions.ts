// Serves the registered HTTP functions (the debug views) the way the Functions host would locally:
// `/api/<route>` with `{param}` segments, a real HttpRequest and InvocationContext, the handler's
// HttpResponseInit written back. Function keys are not checked, as `func start` does not either.
import azf from '@azure/functions';
import type { HttpResponseInit } from '@azure/functions';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { registered } from './functionsCore.ts';

const { HttpRequest, InvocationContext } = azf;

interface Route {
  readonly functionName: string;
  readonly methods: readonly string[];
  readonly pattern: RegExp;
  readonly params: readonly string[];
  readonly handler: (...args: unknown[]) => unknown;
}

function routes(): Route[] {
  const out: Route[] = [];
  for (const [name, r] of registered) {
    const trigger = Object.values(r.metadata.bindings).find((b) => b['type'] === 'httpTrigger');
    if (trigger === undefined) continue;
    const template = typeof trigger['route'] === 'string' ? trigger['route'] : name;
    const params: string[] = [];
    const source = template
      .split('/')
      .map((seg) => {
        const m = /^\{(\w+)\??\}$/.exec(seg);
        if (m?.[1] === undefined) return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        params.push(m[1]);
        return '([^/]+)';
      })
      .join('/');
    const methods = Array.isArray(trigger['methods']) ? trigger['methods'].map(String) : ['GET'];
    out.push({ functionName: name, methods, pattern: new RegExp(`^/api/${source}$`), params, handler: r.handler });
  }
  return out;
}

export interface HttpFunctionsServer {
  readonly url: string;
  stop(): Promise<void>;
}

export async function serveHttpFunctions(port: number, host = '127.0.0.1', log?: (line: string) => void): Promise<HttpFunctionsServer> {
  const table = routes();
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', `http://${host}`);
    const route = table.find((r) => r.pattern.test(url.pathname) && r.methods.includes(req.method ?? 'GET'));
    if (route === undefined) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'no function serves this route', routes: table.map((r) => r.pattern.source) }));
      return;
    }
    const match = route.pattern.exec(url.pathname) ?? [];
    const params = Object.fromEntries(route.params.map((p, i) => [p, decodeURIComponent(match[i + 1] ?? '')]));
    const request = new HttpRequest({ method: req.method ?? 'GET', url: url.toString(), params, query: Object.fromEntries(url.searchParams), headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])) });
    const context = new InvocationContext({ functionName: route.functionName, invocationId: `http-${Date.now()}`, logHandler: (level, ...a) => (level === 'error' ? log?.(`[${route.functionName}] ${a.map(String).join(' ')}`) : undefined) });
    Promise.resolve(route.handler(request, context))
      .then((result) => {
        const r = (result ?? {}) as HttpResponseInit;
        const json = r.jsonBody !== undefined;
        res.writeHead(r.status ?? 200, { 'content-type': json ? 'application/json' : 'text/plain' });
        res.end(json ? `${JSON.stringify(r.jsonBody, null, 2)}\n` : typeof r.body === 'string' ? r.body : '');
      })
      .catch((e: unknown) => {
        log?.(`[${route.functionName}] failed: ${e instanceof Error ? e.message : String(e)}`);
        res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'the function failed; see the host log' }));
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${bound}`,
    stop: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
