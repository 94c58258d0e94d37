// A forwarder under test: the Kubernetes API simulator, the AMQP test broker, the real
// @azure/service-bus client, and the real forwarder between them; plus a reader of what reached
// the engine-events queue.
import assert from 'node:assert/strict';
import { ServiceBusClient } from '@azure/service-bus';
import type { ServiceBusSessionReceiver } from '@azure/service-bus';
import { KubeConfig } from '@kubernetes/client-node';
import { startBroker } from '../../../local/sim/bus/broker.ts';
import type { BrokerCounters, BrokerHandle } from '../../../local/sim/bus/broker.ts';
import { startKubeSimulator } from '../../../local/sim/kube/server.ts';
import type { KubeSimulator } from '../../../local/sim/kube/server.ts';
import type { EngineEvent } from '../../../shared/engine/types.ts';
import type { EngineEventMessage, EngineEventPack } from '../../../shared/messages/envelopes.ts';
import { ActionConsumer } from '../../../forwarder/actions/actionConsumer.ts';
import type { ActionConsumerOptions } from '../../../forwarder/actions/actionConsumer.ts';
import { KubeWriter } from '../../../forwarder/actions/kubeWriter.ts';
import type { Forwarder, ForwarderOptions } from '../../../forwarder/forwarder.ts';
import { startForwarder } from '../../../forwarder/forwarder.ts';
import { KubeApi } from '../../../forwarder/kubeApi.ts';
import type { LogFields, Logger } from '../../../forwarder/log.ts';

export const CLUSTER = 'demo';

/** One event as it reached engine-events: a pack counts once per event it carries. */
export interface Received {
  readonly messageId: string;
  readonly body: EngineEventMessage;
  readonly diagnosticId: unknown;
  /** The Service Bus message's own id when the event came in a pack. */
  readonly packId?: string | undefined;
}

/** The events of one received body, a pack unpacked in order. */
function unpacked(messageId: string, body: EngineEventMessage | EngineEventPack, diagnosticId: unknown): Received[] {
  if (!('events' in body)) return [{ messageId, body, diagnosticId }];
  return body.events.map((e, i) => ({ messageId: `${messageId}#${i}`, body: { v: body.v, cluster: body.cluster, ...e }, diagnosticId, packId: messageId }));
}

/** Keeps log lines for assertions instead of printing them. */
export class MemoryLog implements Logger {
  readonly lines: { level: string; msg: string; fields: LogFields }[] = [];
  debug(msg: string, fields: LogFields = {}): void {
    this.lines.push({ level: 'debug', msg, fields });
  }
  info(msg: string, fields: LogFields = {}): void {
    this.lines.push({ level: 'info', msg, fields });
  }
  warn(msg: string, fields: LogFields = {}): void {
    this.lines.push({ level: 'warn', msg, fields });
  }
  error(msg: string, fields: LogFields = {}): void {
    this.lines.push({ level: 'error', msg, fields });
  }
}

export interface Rig {
  readonly kube: KubeSimulator;
  readonly broker: BrokerHandle & BrokerCounters;
  readonly client: ServiceBusClient;
  readonly kubeConfig: KubeConfig;
  forwarder: Forwarder | null;
  readonly log: MemoryLog;
  start(options?: Partial<ForwarderOptions>): Promise<Forwarder>;
  /**
   * Takes the broker offline. The reader's own session is closed first: the Service Bus SDK
   * (core-amqp 4) can throw an uncaught TypeError from a token-renewal timer of a connection that
   * died under it, which would fail whichever test is running.
   */
  goOffline(): Promise<void>;
  /** Everything that reached engine-events so far (removed from the queue). */
  take(minCount?: number, timeoutMs?: number): Promise<Received[]>;
  close(): Promise<void>;
}

export const QUEUES = [
  { name: 'engine-events', requiresSession: true },
  { name: 'k8s-actions', requiresSession: true, maxDeliveryCount: 5 },
];

export async function startRig(kubeOptions: { bookmarkIntervalMs?: number; historySize?: number } = {}): Promise<Rig> {
  const kube = await startKubeSimulator({ bookmarkIntervalMs: kubeOptions.bookmarkIntervalMs ?? 200, historySize: kubeOptions.historySize });
  kube.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apps' } });
  const broker = await startBroker({ queues: QUEUES });
  const client = new ServiceBusClient(broker.connectionString, { retryOptions: { maxRetries: 1, timeoutInMs: 3_000, retryDelayInMs: 50 } });
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(JSON.stringify(kube.kubeconfig()));
  const log = new MemoryLog();
  let receiver: ServiceBusSessionReceiver | null = null;
  // The reader has its own client, dropped whole around an outage (see goOffline).
  let reader: ServiceBusClient | null = null;
  const dropReader = async (): Promise<void> => {
    const [r, c] = [receiver, reader];
    receiver = null;
    reader = null;
    await r?.close().catch(() => undefined);
    await c?.close().catch(() => undefined);
  };
  const rig: Rig = {
    kube,
    broker,
    client,
    kubeConfig,
    forwarder: null,
    log,
    async start(options = {}) {
      rig.forwarder = await startForwarder({
        cluster: CLUSTER,
        kubeConfig,
        serviceBus: client,
        log,
        httpPort: 0,
        httpHost: '127.0.0.1',
        retryMinMs: 50,
        actionReceiveWaitMs: 200,
        actionRetryDelayMs: 100,
        ...options,
      });
      return rig.forwarder;
    },
    async goOffline() {
      await dropReader();
      await broker.goOffline();
    },
    async take(minCount = 0, timeoutMs = 5_000) {
      const out: Received[] = [];
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const left = deadline - Date.now();
        let got;
        try {
          reader ??= new ServiceBusClient(broker.connectionString, { retryOptions: { maxRetries: 1, timeoutInMs: 3_000, retryDelayInMs: 50 } });
          receiver ??= await reader.acceptSession('engine-events', CLUSTER, { receiveMode: 'receiveAndDelete' });
          got = await receiver.receiveMessages(500, { maxWaitTimeInMs: out.length >= minCount ? 150 : Math.max(50, Math.min(left, 500)) });
        } catch (e) {
          // The reader's own connection went down with the broker (an outage test): accept again.
          await dropReader();
          if (Date.now() > deadline) throw e;
          await new Promise((r) => setTimeout(r, 100));
          continue;
        }
        for (const m of got) out.push(...unpacked(String(m.messageId), m.body as EngineEventMessage | EngineEventPack, m.applicationProperties?.['Diagnostic-Id']));
        if (got.length === 0 && out.length >= minCount) return out;
        if (Date.now() > deadline) assert.fail(`received ${out.length} of at least ${minCount} engine events`);
      }
    },
    async close() {
      await rig.forwarder?.stop(1_000);
      await dropReader();
      await client.close();
      await broker.stop();
      await kube.stop();
    },
  };
  return rig;
}

/** The real action consumer and Kubernetes writer on the rig's broker and simulator, started, quick to poll and to retry. */
export function startActionConsumer(rig: Rig, options: Partial<ActionConsumerOptions> = {}): ActionConsumer {
  const consumer = new ActionConsumer({
    client: rig.client,
    cluster: CLUSTER,
    writer: new KubeWriter({ api: new KubeApi(rig.kubeConfig), instance: 'test' }),
    log: rig.log,
    receiveWaitMs: 200,
    retryDelayMs: 50,
    ...options,
  });
  consumer.start();
  return consumer;
}

export async function waitFor<T>(probe: () => T | undefined | false | Promise<T | undefined | false>, what: string, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export const events = (received: readonly Received[]): EngineEvent[] => received.map((r) => r.body.event);

/** `Kind/ns/name` of an upsert, `-Kind/ns/name` of a delete, `#Kind` of a marker. */
export function summary(e: EngineEvent): string {
  switch (e.kind) {
    case 'ServiceUpserted':
      return `Service/${e.service.namespace}/${e.service.name}`;
    case 'EndpointSliceUpserted':
      return `EndpointSlice/${e.slice.namespace}/${e.slice.name}`;
    case 'NodeUpserted':
      return `Node/${e.node.name}`;
    case 'PodUpserted':
      return `Pod/${e.pod.namespace}/${e.pod.name}`;
    case 'ObjectDeleted':
      return `-${e.objectKind}/${e.namespace === null ? '' : `${e.namespace}/`}${e.name}`;
    case 'KubernetesSynced':
      return `#${e.objectKind}`;
    default:
      return e.kind;
  }
}

// ------------------------------------------------------------------ objects

export function node(name: string, ip: string): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name }, status: { addresses: [{ type: 'InternalIP', address: ip }] } };
}

export function lbService(name: string, extra: { type?: string; ports?: unknown[]; finalizers?: string[] } = {}): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { namespace: 'default', name, ...(extra.finalizers === undefined ? {} : { finalizers: extra.finalizers }) },
    spec: { type: extra.type ?? 'LoadBalancer', selector: { app: name }, ports: extra.ports ?? [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 }] },
  };
}

export function egressPod(name: string, ip: string, identity = 'team-a', nodeName = 'node-a'): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { namespace: 'apps', name, labels: { 'kubernetes.azure.com/service-egress-gateway': identity } },
    spec: { nodeName, containers: [{ name: 'c', image: 'busybox' }] },
    status: { phase: 'Running', hostIP: '10.0.0.4', hostIPs: [{ ip: '10.0.0.4' }], podIP: ip, podIPs: [{ ip }] },
  };
}

export function plainPod(name: string, ip: string): Record<string, unknown> {
  const p = egressPod(name, ip);
  return { ...p, metadata: { namespace: 'apps', name, labels: { app: 'x' } } };
}

export function slice(name: string, serviceUid: string, ips: readonly string[]): Record<string, unknown> {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { namespace: 'default', name, labels: { 'kubernetes.io/service-name': name.split('-')[0] }, ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: name.split('-')[0], uid: serviceUid }] },
    addressType: 'IPv4',
    endpoints: ips.map((ip) => ({ addresses: [ip], nodeName: 'node-a', conditions: { ready: true } })),
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
  };
}

export function uidOf(obj: Record<string, unknown>): string {
  const uid = (obj['metadata'] as Record<string, unknown>)['uid'];
  assert.equal(typeof uid, 'string');
  return uid as string;
}

export async function httpGet(port: number, path: string): Promise<{ status: number; text: string }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, text: await res.text() };
}
