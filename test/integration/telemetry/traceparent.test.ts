// One Kubernetes change followed end to end under one trace: the real forwarder publishes it
// (traceparent in the body, Diagnostic-Id beside it), the engine function continues the trace and
// passes it on to the service operation, whose ARM calls carry it to the NRP simulator (recorded
// by a proxy in front of it), and back through the completion to the Kubernetes actions.
// First: the fake Functions core must be in place before a function module registers itself.
import { registered } from '../../support/functionsCore.ts';
import assert from 'node:assert/strict';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import azf from '@azure/functions';
import type { ServiceBusReceivedMessage } from '@azure/service-bus';
import { KubeConfig } from '@kubernetes/client-node';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { startForwarder } from '../../../forwarder/forwarder.ts';
import type { Forwarder } from '../../../forwarder/forwarder.ts';
import { triggerMetadata } from '../../../local/host/queueTrigger.ts';
import { startKubeSimulator } from '../../../local/sim/kube/server.ts';
import type { KubeSimulator } from '../../../local/sim/kube/server.ts';
import { spanContextOf } from '../../../shared/telemetry/traceContext.ts';
import { lbService, MemoryLog, node, waitFor } from '../forwarder/harness.ts';
import { startWorld } from '../../unit/telemetry/telemetryWorld.ts';
import type { TelemetryWorld } from '../../unit/telemetry/telemetryWorld.ts';

const { InvocationContext } = azf;
const CLUSTER = 'traced';

interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly traceparent: string | undefined;
}

/** An HTTP proxy in front of the NRP simulator that keeps each request's method, path and traceparent. */
async function recordingProxy(target: string): Promise<{ url: string; seen: SeenRequest[]; close(): Promise<void> }> {
  const seen: SeenRequest[] = [];
  const server = createServer((req, res) => {
    const traceparent = req.headers.traceparent;
    seen.push({ method: req.method ?? '', path: new URL(req.url ?? '/', target).pathname, traceparent: Array.isArray(traceparent) ? traceparent[0] : traceparent });
    const upstream = httpRequest(new URL(req.url ?? '/', target), { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

function traceIdOf(traceparent: unknown): string | undefined {
  return typeof traceparent === 'string' ? spanContextOf(traceparent)?.traceId : undefined;
}

describe('trace propagation', () => {
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  let proxy: Awaited<ReturnType<typeof recordingProxy>>;
  let w: TelemetryWorld;
  let kube: KubeSimulator;
  let forwarder: Forwarder;
  let seq = 0;

  /** Receives from a queue and runs its function on what came, as the Functions host would. */
  async function handle(queue: 'engine-events' | 'service-ops'): Promise<ServiceBusReceivedMessage[]> {
    const many = queue === 'engine-events';
    const receiver = many ? await w.h.client.acceptSession(queue, CLUSTER) : w.h.client.createReceiver(queue);
    try {
      const messages = await receiver.receiveMessages(many ? 100 : 1, { maxWaitTimeInMs: 1_000 });
      assert.ok(messages.length > 0, `nothing on ${queue}`);
      const name = many ? 'engine' : 'serviceOps';
      const ctx = new InvocationContext({ invocationId: `trace-${++seq}`, functionName: name, triggerMetadata: triggerMetadata(messages, many, many ? CLUSTER : undefined) });
      const handler = registered.get(name)?.handler;
      assert.ok(handler, `${name} is not registered`);
      await handler(many ? messages.map((m) => m.body as unknown) : messages[0]?.body, ctx);
      for (const m of messages) await receiver.completeMessage(m);
      return messages;
    } finally {
      await receiver.close();
    }
  }

  before(async () => {
    // What an OpenTelemetry SDK provides in production: a context that follows async calls.
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    w = await startWorld({
      tracer: tracerProvider.getTracer('trace-test'),
      endpointFor: async (simulatorUrl) => {
        proxy = await recordingProxy(simulatorUrl);
        return proxy.url;
      },
    });
    w.fresh();
    kube = await startKubeSimulator({ bookmarkIntervalMs: 200 });
    kube.apply(node('node-a', '10.6.0.4'));
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromString(JSON.stringify(kube.kubeconfig()));
    forwarder = await startForwarder({ cluster: CLUSTER, kubeConfig, serviceBus: w.h.client, log: new MemoryLog(), httpPort: null, applyActions: false, retryMinMs: 50 });
    await forwarder.whenReady();
    await waitFor(() => w.h.broker.peekState('engine-events').active > 0, 'the first snapshot');
    await w.h.pump();
    await w.h.drain('k8s-actions');
    exporter.reset();
    proxy.seen.length = 0;
  });
  after(async () => {
    await forwarder.stop(1_000);
    await kube.stop();
    await w.stop();
    await proxy.close();
    await tracerProvider.shutdown();
  });

  it('finds the forwarder\'s trace id on every message, span and NRP request of one Service\'s creation', async () => {
    kube.apply(lbService('traced-web'));
    await waitFor(() => w.h.broker.peekState('engine-events').active > 0, 'the forwarder to publish the Service');

    const [change, ...others] = await handle('engine-events');
    assert.equal(others.length, 0);
    const body = change?.body as { event?: { kind?: string }; traceparent?: string };
    assert.equal(body.event?.kind, 'ServiceUpserted');
    const forwarderSpan = spanContextOf(body.traceparent);
    assert.ok(forwarderSpan, `the forwarder put no usable traceparent on the message: ${String(body.traceparent)}`);
    const traceId = forwarderSpan.traceId;
    assert.equal(change?.applicationProperties?.['Diagnostic-Id'], body.traceparent);

    const [operation] = await handle('service-ops');
    assert.equal(traceIdOf(operation?.applicationProperties?.['Diagnostic-Id']), traceId, 'service-ops message');
    await w.h.pump();
    const actions = await w.h.drain('k8s-actions');

    const spans = exporter.getFinishedSpans();
    const engineSpan = spans.find((s) => s.name === 'engine-events process');
    assert.equal(engineSpan?.parentSpanContext?.spanId, forwarderSpan.spanId, 'the engine continues the forwarder\'s span');
    assert.deepEqual([...new Set(spans.map((s) => s.name))].sort(), ['engine-events process', 'service-ops process']);

    const writes = proxy.seen.filter((r) => r.method !== 'GET');
    assert.deepEqual(writes.map((r) => `${r.method} ${r.path.split('/').slice(-2, -1)[0] ?? ''}`).sort(), [
      'POST servicegateway',
      'PUT loadBalancers',
      'PUT publicIPAddresses',
    ]);
    assert.ok(actions.length >= 2, `only ${actions.length} Kubernetes actions`);

    const traceIds = new Set([
      ...spans.map((s) => s.spanContext().traceId),
      ...proxy.seen.map((r) => traceIdOf(r.traceparent) ?? `no traceparent on ${r.method} ${r.path}`),
      ...actions.map((m) => traceIdOf(m.applicationProperties?.['Diagnostic-Id']) ?? `no Diagnostic-Id on ${String(m.messageId)}`),
      traceIdOf(operation?.applicationProperties?.['Diagnostic-Id']),
    ]);
    assert.deepEqual([...traceIds], [traceId]);
  });
});
