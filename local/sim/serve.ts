// What every simulator does the same way: listen on loopback and report where, and stop cleanly
// when its CLI gets SIGINT or SIGTERM.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Listens and returns the base URL (`http://host:port`, IPv6 hosts bracketed). */
export async function listenHttp(server: Server, port: number | undefined, host: string | undefined): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const shown = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return `http://${shown}:${addr.port}`;
}

/** Stops the simulator on the first SIGINT/SIGTERM and exits 0 (1 when stopping fails). */
export function stopOnSignals(sim: { stop(): Promise<void> }): void {
  let stopping = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`${signal}: stopping\n`);
    sim.stop().then(() => process.exit(0), (err: unknown) => {
      process.stderr.write(`stop failed: ${String(err)}\n`);
      process.exit(1);
    });
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}
