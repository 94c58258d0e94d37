// The forwarder, assembled: one reflector per watched kind feeding the outbox through the kind's
// change translation, the publisher draining the outbox to the engine-events queue, the action
// consumer applying the engine's k8s-actions, and the probe server. `stop` is the graceful
// shutdown: stop watching, finish the action in flight, send what is queued within the grace
// period. Whatever is still unsent is recovered by the next start's snapshot.
import type { KubeConfig } from '@kubernetes/client-node';
import type { ServiceBusClient } from '@azure/service-bus';
import { randomBytes } from 'node:crypto';
import { ServiceBusMessageSender } from '../shared/bus/serviceBusSender.ts';
import type { KubeObjectKind } from '../shared/engine/types.ts';
import { isPackShaped } from '../shared/messages/envelopes.ts';
import type { OutgoingMessage } from '../shared/messages/outgoing.ts';
import { ActionConsumer } from './actions/actionConsumer.ts';
import { answerOfFinalizerAction } from './actions/finalizerAnswers.ts';
import { KubeWriter } from './actions/kubeWriter.ts';
import type { QueuedChange } from './changeQueue.ts';
import { ChangeQueue, DEFAULT_OUTBOX_BOUNDS } from './changeQueue.ts';
import type { ProbeServer } from './httpServer.ts';
import { startProbeServer } from './httpServer.ts';
import { KubeApi } from './kubeApi.ts';
import type { Logger } from './log.ts';
import { jsonLogger } from './log.ts';
import { ForwarderMetrics } from './metrics.ts';
import type { ChangeContext, Translation } from './objectChanges.ts';
import { KindChanges } from './objectChanges.ts';
import { Publisher } from './publisher.ts';
import { Reflector } from './reflector.ts';
import type { WatchedKind } from './watchedKinds.ts';
import { WATCHED_KINDS } from './watchedKinds.ts';
import { finalizerFailureRecorder } from '../shared/telemetry/finalizerMetrics.ts';

export interface ForwarderOptions {
  readonly cluster: string;
  readonly kubeConfig: KubeConfig;
  /** Owned by the caller, who closes it after `stop`. */
  readonly serviceBus: ServiceBusClient;
  readonly log?: Logger | undefined;
  readonly queueCapacity?: number | undefined;
  /** Bytes of message bodies the outbox holds before it drops changes (FORWARDER_QUEUE_BYTES). */
  readonly queueBytes?: number | undefined;
  /** Probe/metrics port; null for none. */
  readonly httpPort?: number | null | undefined;
  readonly httpHost?: string | undefined;
  /** Pod name, reported on Events. */
  readonly instance?: string | undefined;
  readonly stallMs?: number | undefined;
  readonly kinds?: readonly WatchedKind[] | undefined;
  readonly listPageSize?: number | undefined;
  readonly watchTimeoutSeconds?: number | undefined;
  readonly retryMinMs?: number | undefined;
  readonly sendBatchSize?: number | undefined;
  /** How long a send round waits for more changes to share its messages (FORWARDER_SEND_LINGER_MS). */
  readonly sendLingerMs?: number | undefined;
  readonly applyActions?: boolean | undefined;
  readonly actionReceiveWaitMs?: number | undefined;
  readonly actionRetryDelayMs?: number | undefined;
  readonly actionSessionHoldMs?: number | undefined;
}

export interface StopResult {
  /** True when everything queued was sent. */
  readonly flushed: boolean;
  readonly unsent: number;
}

export interface Forwarder {
  readonly metrics: ForwarderMetrics;
  readonly httpPort: number | null;
  /** True once the first snapshot of every kind has been sent. */
  ready(): boolean;
  whenReady(): Promise<void>;
  outboxSize(): number;
  /** Forces a relist of every kind (tests; the debug endpoint). */
  relistAll(): void;
  stop(graceMs: number): Promise<StopResult>;
}

function newTraceparent(): string {
  return `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`;
}

export async function startForwarder(o: ForwarderOptions): Promise<Forwarder> {
  const log = o.log ?? jsonLogger();
  const kinds = o.kinds ?? WATCHED_KINDS;
  const metrics = new ForwarderMetrics();
  const api = new KubeApi(o.kubeConfig);
  const queue = new ChangeQueue({ maxObjects: o.queueCapacity ?? DEFAULT_OUTBOX_BOUNDS.maxObjects, maxBytes: o.queueBytes ?? DEFAULT_OUTBOX_BOUNDS.maxBytes }, {
    onCoalesced: (kind) => metrics.changes.add(1, { kind, result: 'coalesced' }),
    onDropped: (kind, reason) => metrics.changes.add(1, { kind, result: 'dropped', reason }),
  });
  const translators = new Map<KubeObjectKind, KindChanges>(kinds.map((k) => [k.objectKind, new KindChanges(o.cluster, k.objectKind)]));
  const snapshotSent = new Set<KubeObjectKind>();
  const needsRelist = new Set<KubeObjectKind>();
  let readyResolve: () => void = () => {};
  const readyPromise = new Promise<void>((r) => (readyResolve = r));
  const ctx = (): ChangeContext => ({ now: Date.now(), traceparent: newTraceparent() });

  const enqueue = (kind: KubeObjectKind, t: Translation): void => {
    if (t.action === 'skip') {
      metrics.changes.add(1, { kind, result: t.why });
    } else if (t.action === 'reject') {
      metrics.changes.add(1, { kind, result: 'rejected' });
      log.warn('unreadable object not forwarded', { kind, object: t.key, reason: t.reason });
    } else if (t.action === 'withhold') {
      metrics.changes.add(1, { kind, result: 'withheld' });
      log.warn('object withheld: the engine keeps its last known state', { kind, object: t.key, reason: t.reason });
      if (queue.put(t.change) === 'dropped') needsRelist.add(kind);
    } else if (queue.put(t.change) === 'dropped') {
      needsRelist.add(kind);
    } else {
      metrics.changes.add(1, { kind, result: 'queued' });
    }
  };

  const sender = new ServiceBusMessageSender(o.serviceBus);
  const publisher = new Publisher({
    queue,
    sender,
    log,
    batchSize: o.sendBatchSize,
    minBackoffMs: o.retryMinMs,
    lingerMs: o.sendLingerMs,
    onSent: (sent: readonly QueuedChange[], ms: number, messages: readonly OutgoingMessage[]) => {
      metrics.sendDuration.record(ms / 1000);
      for (const m of messages) metrics.messagesSent.add(1, { format: isPackShaped(m.body) ? 'pack' : 'single' });
      for (const c of sent) {
        metrics.changesSent.add(1, { kind: c.objectKind });
        if (c.marker) snapshotSent.add(c.objectKind);
      }
      if (kinds.every((k) => snapshotSent.has(k.objectKind))) readyResolve();
    },
    onFailure: () => metrics.sendFailures.add(1),
  });

  const reflectors = kinds.map((kind) => {
    const changes = translators.get(kind.objectKind)!;
    return new Reflector({
      kind,
      api,
      log,
      pageSize: o.listPageSize,
      watchTimeoutSeconds: o.watchTimeoutSeconds,
      minBackoffMs: o.retryMinMs,
      onRelist: (reason) => metrics.relists.add(1, { kind: kind.objectKind, reason }),
      onWatchRestart: (reason) => metrics.watchRestarts.add(1, { kind: kind.objectKind, reason }),
      handlers: {
        snapshot: (items, rv) => {
          const s = changes.snapshot(items, rv, ctx());
          for (const r of s.rejected) {
            metrics.changes.add(1, { kind: kind.objectKind, result: 'rejected' });
            log.warn('unreadable object not forwarded', { kind: kind.objectKind, object: r.key, reason: r.reason });
          }
          for (const r of s.withheld) {
            metrics.changes.add(1, { kind: kind.objectKind, result: 'withheld' });
            log.warn('object withheld: the engine keeps its last known state', { kind: kind.objectKind, object: r.key, reason: r.reason });
          }
          for (const c of s.changes) {
            const r = queue.put(c, true);
            metrics.changes.add(1, { kind: kind.objectKind, result: r === 'coalesced' ? 'coalesced' : 'queued' });
          }
          queue.putMarker(s.marker);
        },
        upsert: (obj) => enqueue(kind.objectKind, changes.upsert(obj, ctx())),
        delete: (obj) => enqueue(kind.objectKind, changes.delete(obj, ctx())),
      },
    });
  });
  const byKind = new Map(kinds.map((k, i) => [k.objectKind, reflectors[i]!]));

  // A kind that lost changes to a full outbox is listed again once the outbox has room for it.
  const relistTimer = setInterval(() => {
    if (needsRelist.size === 0 || !queue.halfEmpty) return;
    for (const kind of needsRelist) {
      log.warn('relisting after dropped changes', { kind, outboxObjects: queue.objects, outboxBytes: queue.bytes });
      byKind.get(kind)?.relist();
    }
    needsRelist.clear();
  }, 1_000);
  relistTimer.unref();

  const writer = new KubeWriter({ api, instance: o.instance ?? 'forwarder' });
  // Finalizer failures are the engine's metric (engine_finalizer_failures_total), exported here where they happen.
  const recordFinalizerFailure = finalizerFailureRecorder(metrics.meter);
  const consumer = o.applyActions === false ? null : new ActionConsumer({
    client: o.serviceBus,
    cluster: o.cluster,
    writer,
    log,
    receiveWaitMs: o.actionReceiveWaitMs,
    retryDelayMs: o.actionRetryDelayMs,
    sessionHoldMs: o.actionSessionHoldMs,
    onOutcome: (action, result) => {
      metrics.actions.add(1, { action, result });
      recordFinalizerFailure(action, result);
    },
    onRefused: (action, reason) => metrics.actionsRefused.add(1, { action, reason }),
    onResult: (action, outcome) => {
      const t = answerOfFinalizerAction(action, outcome, translators.get('Pod'), byKind.get('Pod')?.newestResourceVersion ?? null, ctx());
      if (t) enqueue('Pod', t);
    },
  });

  metrics.observe({
    outboxSize: () => queue.size,
    outboxBytes: () => queue.bytes,
    remembered: (kind) => translators.get(kind)?.remembered ?? 0,
    synced: (kind) => snapshotSent.has(kind),
  });
  const stallMs = o.stallMs ?? 5 * 60_000;
  let probes: ProbeServer | null = null;
  if (o.httpPort !== null) {
    probes = await startProbeServer(o.httpPort ?? 8080, {
      unhealthy: () => {
        const stalled = kinds.filter((k) => (byKind.get(k.objectKind)?.stalledFor() ?? 0) > stallMs).map((k) => k.objectKind);
        return stalled.length === 0 ? null : `not listing or watching for over ${stallMs} ms: ${stalled.join(', ')}`;
      },
      notReady: () => {
        const missing = kinds.filter((k) => !snapshotSent.has(k.objectKind)).map((k) => k.objectKind);
        return missing.length === 0 ? null : `first snapshot not sent yet: ${missing.join(', ')}`;
      },
      metrics: (req, res) => metrics.handle(req, res),
    }, o.httpHost);
  }

  publisher.start();
  for (const r of reflectors) r.start();
  consumer?.start();
  log.info('forwarder started', { cluster: o.cluster, kinds: kinds.map((k) => k.objectKind).join(','), httpPort: probes?.port ?? null });

  let stopping: Promise<StopResult> | null = null;
  return {
    metrics,
    httpPort: probes?.port ?? null,
    ready: () => kinds.every((k) => snapshotSent.has(k.objectKind)),
    whenReady: () => readyPromise,
    outboxSize: () => queue.size,
    relistAll: () => reflectors.forEach((r) => r.relist()),
    stop: (graceMs: number) =>
      (stopping ??= (async () => {
        const deadline = Date.now() + graceMs;
        clearInterval(relistTimer);
        await Promise.all(reflectors.map((r) => r.stop()));
        await consumer?.stop();
        const flushed = await publisher.flush(deadline);
        const unsent = queue.size;
        log.info('forwarder stopped', { flushed, unsent });
        await sender.close().catch(() => undefined);
        await probes?.close();
        await metrics.shutdown();
        return { flushed, unsent };
      })()),
  };
}
