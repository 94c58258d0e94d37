// The probes and the scrape endpoint. /healthz fails only when restarting would help (a kind that
// has not listed or watched for the stall limit); /readyz waits for the first complete snapshot of
// every kind to be sent, so a rollout does not proceed while the new pod has forwarded nothing.
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Probes {
  /** Null when healthy, else why not. */
  unhealthy(): string | null;
  /** Null when ready, else why not. */
  notReady(): string | null;
  metrics(req: IncomingMessage, res: ServerResponse): void;
}

export interface ProbeServer {
  readonly port: number;
  close(): Promise<void>;
}

export async function startProbeServer(port: number, probes: Probes, host = '0.0.0.0'): Promise<ProbeServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const answer = (problem: string | null): void => {
      res.writeHead(problem === null ? 200 : 503, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(problem === null ? 'ok\n' : `${problem}\n`);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/healthz' || path === '/livez') answer(probes.unhealthy());
    else if (path === '/readyz') answer(probes.notReady());
    else if (path === '/metrics') probes.metrics(req, res);
    else res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
