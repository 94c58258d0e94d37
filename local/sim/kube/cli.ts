// npm run sim:kube -- --port PORT [--kubeconfig PATH] [--bookmark-ms N] [--history-size N]
//   [--token TOKEN] [--require-token] [--host 127.0.0.1]
// Starts the Kubernetes API simulator, writes a kubeconfig for it, prints where it is, and stops
// on SIGINT/SIGTERM.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startKubeSimulator } from './server.ts';
import { stopOnSignals } from '../serve.ts';

const REPO_ROOT = resolve(import.meta.dirname, '../../..');

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
    kubeconfig: { type: 'string', default: resolve(REPO_ROOT, '.local/kubeconfig') },
    'bookmark-ms': { type: 'string' },
    'history-size': { type: 'string' },
    token: { type: 'string' },
    // kubectl never sends credentials to an http:// server, so by default requests without an
    // Authorization header are served; --require-token refuses them (client-node still works).
    'require-token': { type: 'boolean', default: false },
  },
  strict: true,
});

function num(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a whole number >= 0, got '${text}'`);
  return n;
}

const sim = await startKubeSimulator({
  host: values.host,
  port: num('port', values.port),
  token: values.token,
  anonymous: !values['require-token'],
  bookmarkIntervalMs: num('bookmark-ms', values['bookmark-ms']),
  historySize: num('history-size', values['history-size']),
});
const kubeconfigPath = resolve(values.kubeconfig);
await sim.writeKubeconfig(kubeconfigPath);

process.stdout.write([
  `Kubernetes API simulator listening on ${sim.url}`,
  `url: ${sim.url}`,
  `kubeconfig: ${kubeconfigPath}`,
  `export KUBECONFIG=${kubeconfigPath}`,
  '',
].join('\n'));

stopOnSignals(sim);
