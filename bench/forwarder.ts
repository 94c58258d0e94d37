// The forwarder as a process under load (npm run bench:forwarder [-- --seconds N --rate N] [--cluster full]):
// the Kubernetes API simulator and the AMQP test broker in this process, the real forwarder
// (forwarder/main.ts) in a child process whose memory and CPU are read from its own /metrics.
//  a) steady churn: `rate` changes/s (default 100) to egress pods for `seconds` (default 60),
//     reporting the forwarder's RSS, heap and CPU share, and messages per change;
//  b) a burst of 1,000 changes (200 pods, 5 changes each, applied at once): messages sent for it.
// `--cluster full` first applies the full benchmark's cluster (bench/workload: 100 nodes, 1,000
// Services and EndpointSlices of 20 endpoints, 5,000 egress pods), so the forwarder's start lists it
// all; `startPeakRssMiB` is its kernel high-water mark once every snapshot is sent (ADR 0028).
// Writes bench/results/forwarder-<timestamp>.json. Measures only; asserts nothing.
import { ServiceBusClient } from '@azure/service-bus';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startBroker } from '../local/sim/bus/broker.ts';
import { startKubeSimulator } from '../local/sim/kube/server.ts';
import { startForwarderProcess, sumOf } from './host/forwarderProcess.ts';
import { peakRssBytes } from './host/peakRss.ts';
import { POD_FINALIZER, SERVICE_FINALIZER } from '../shared/engine/types.ts';
import { planBench } from './workload/plan.ts';
import { FULL } from './workload/shapes.ts';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '60' }, rate: { type: 'string', default: '100' }, cluster: { type: 'string', default: 'pods' } } });
if (values.cluster !== 'pods' && values.cluster !== 'full') throw new Error('--cluster: pods or full');
const FULL_CLUSTER = values.cluster === 'full';
const SECONDS = Number(values.seconds);
const RATE = Number(values.rate);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function pod(name: string, ip: string, node: string): Record<string, unknown> {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { namespace: 'bench', name, labels: { 'kubernetes.azure.com/service-egress-gateway': `id-${name.length % 50}` } },
    spec: { nodeName: node, containers: [{ name: 'c', image: 'x' }] },
    status: { phase: 'Running', hostIPs: [{ ip: '10.0.0.4' }], podIPs: [{ ip }] },
  };
}

const ipOf = (n: number): string => `10.${100 + Math.floor(n / 65_536) % 100}.${Math.floor(n / 256) % 256}.${n % 256}`;

const kube = await startKubeSimulator({ bookmarkIntervalMs: 5_000, historySize: 200_000 });
kube.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bench' } });
const broker = await startBroker({ queues: [{ name: 'engine-events', requiresSession: true }, { name: 'k8s-actions', requiresSession: true }] });
const dir = mkdtempSync(join(tmpdir(), 'bench-forwarder-'));
await kube.writeKubeconfig(join(dir, 'kubeconfig'));
const POD_COUNT = 1_000;
for (let i = 0; i < POD_COUNT; i++) kube.apply(pod(`p${i}`, ipOf(i), `node-${i % 100}`));
const clusterObjects = FULL_CLUSTER ? planBench(FULL, 42).initial : [];
for (const obj of clusterObjects) kube.apply(obj);

const forwarder = await startForwarderProcess({ cluster: 'bench', brokerConnectionString: broker.connectionString, kubeconfigPath: join(dir, 'kubeconfig') });

const client = new ServiceBusClient(broker.connectionString);
// receiveAndDelete session receivers get no automatic lock renewal: accept again when it lapses.
let receiver = await client.acceptSession('engine-events', 'bench', { receiveMode: 'receiveAndDelete' });
let received = 0;
let draining = true;
const drain = (async () => {
  while (draining) {
    try {
      received += (await receiver.receiveMessages(1000, { maxWaitTimeInMs: 200 })).length;
    } catch {
      await receiver.close().catch(() => undefined);
      receiver = await client.acceptSession('engine-events', 'bench', { receiveMode: 'receiveAndDelete' });
    }
  }
})();

// The start's peak: every kind listed and its snapshot sent (readyz), the outbox drained.
const startPeakRssMiB = Math.round((peakRssBytes(forwarder.pid) ?? 0) / 2 ** 20);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Waits until no message arrived for 2 s; the messages that arrived meanwhile. */
async function waitQuiet(): Promise<number> {
  const before = received;
  for (let quiet = 0; quiet < 10; ) {
    const r = received;
    await sleep(200);
    quiet = received === r ? quiet + 1 : 0;
  }
  return received - before;
}

// What the engine's set-up does to that cluster, as watch events: our finalizer on every Service
// and egress pod, every EndpointSlice rewritten, applied at once.
const finalizerOf: Readonly<Record<string, string>> = { Service: SERVICE_FINALIZER, Pod: POD_FINALIZER };
for (const obj of clusterObjects) {
  if (obj.kind === 'Namespace' || obj.kind === 'Node') continue;
  const finalizer = finalizerOf[String(obj.kind)];
  const metadata = { ...(obj['metadata'] as Record<string, unknown>), annotations: { touched: 'yes' } };
  kube.apply({ ...obj, metadata: finalizer === undefined ? metadata : { ...metadata, finalizers: [finalizer] } });
}
const touched = clusterObjects.length === 0 ? 0 : await waitQuiet();
const touchPeakRssMiB = Math.round((peakRssBytes(forwarder.pid) ?? 0) / 2 ** 20);

const metrics = (): Promise<Record<string, number>> => forwarder.metrics();
const sum = sumOf;

await sleep(1_000);
const base = await metrics();
const baseReceived = received;
const cpuBase = base['forwarder_process_cpu_seconds_total'] ?? 0;
let changes = 0;
const rss: number[] = [];
const started = Date.now();
for (let s = 0; s < SECONDS; s++) {
  const tickStart = Date.now();
  for (let k = 0; k < RATE; k++) {
    const n = changes++;
    kube.apply(pod(`p${n % POD_COUNT}`, ipOf(POD_COUNT + n), `node-${(n * 7) % 100}`));
  }
  const m = await metrics();
  rss.push(m['forwarder_process_resident_memory_bytes'] ?? 0);
  await sleep(Math.max(0, 1_000 - (Date.now() - tickStart)));
}
const elapsed = (Date.now() - started) / 1000;
await sleep(1_000);
const steady = await metrics();
const steadyMessages = received - baseReceived;
const cpu = (steady['forwarder_process_cpu_seconds_total'] ?? 0) - cpuBase;

// Burst: 200 pods x 5 changes, applied back to back.
const beforeBurst = received;
const burstMetricsBefore = await metrics();
for (let round = 0; round < 5; round++) for (let i = 0; i < 200; i++) kube.apply(pod(`p${i}`, ipOf(500_000 + round * 1000 + i), 'node-1'));
await waitQuiet();
const burstMetrics = await metrics();
const result = {
  machine: { cpus: cpus().length, model: cpus()[0]?.model ?? '?' },
  start: { cluster: values.cluster, objectsListed: POD_COUNT + clusterObjects.filter((o) => o.kind !== 'Namespace').length, startPeakRssMiB, touchedMessages: touched, touchPeakRssMiB },
  steady: {
    ratePerSecond: RATE,
    seconds: Math.round(elapsed),
    changes,
    messages: steadyMessages,
    messagesPerChange: Number((steadyMessages / changes).toFixed(3)),
    rssMiB: { max: Math.round(Math.max(...rss) / 2 ** 20), last: Math.round((rss.at(-1) ?? 0) / 2 ** 20) },
    heapUsedMiB: Math.round((steady['forwarder_process_heap_used_bytes'] ?? 0) / 2 ** 20),
    cpuPercentOfOneCore: Number(((100 * cpu) / elapsed).toFixed(1)),
  },
  burst: {
    changes: 1_000,
    objects: 200,
    messages: received - beforeBurst,
    coalesced: sum(burstMetrics, 'forwarder_changes_total{kind="Pod",result="coalesced"') - sum(burstMetricsBefore, 'forwarder_changes_total{kind="Pod",result="coalesced"'),
  },
};
draining = false;
await drain;
const { peakRssBytes: wholeRunPeak } = await forwarder.stop();
// The kernel's high-water mark: the peak the samples above may have missed.
const output = { ...result, peakRssMiB: Math.round(wholeRunPeak / 2 ** 20) };
await receiver.close();
await client.close();
await broker.stop();
await kube.stop();
mkdirSync(join(root, 'bench/results'), { recursive: true });
const file = join(root, `bench/results/forwarder-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(file, `${JSON.stringify(output, null, 2)}\n`);
process.stdout.write(`${JSON.stringify(output, null, 2)}\nwritten to ${file}\n`);
