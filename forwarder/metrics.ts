// The forwarder's metrics, with OpenTelemetry instruments read out in Prometheus text format on
// /metrics (the cluster's usual scraper). Each forwarder owns its meter provider, so several can run
// in one process (tests, the local host) without mixing their numbers.
import type { Counter, Histogram, Meter } from '@opentelemetry/api';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KubeObjectKind } from '../shared/engine/types.ts';

export type ChangeResult = 'queued' | 'coalesced' | 'dropped' | 'unchanged' | 'notOurs' | 'rejected' | 'withheld';

export interface ForwarderGauges {
  outboxSize(): number;
  outboxBytes(): number;
  remembered(kind: KubeObjectKind): number;
  synced(kind: KubeObjectKind): boolean;
}

export class ForwarderMetrics {
  private readonly provider: MeterProvider;
  private readonly exporter: PrometheusExporter;
  readonly meter: Meter;
  readonly changes: Counter;
  readonly changesSent: Counter;
  readonly messagesSent: Counter;
  readonly sendDuration: Histogram;
  readonly sendFailures: Counter;
  readonly relists: Counter;
  readonly watchRestarts: Counter;
  readonly actions: Counter;
  readonly actionsRefused: Counter;

  constructor() {
    this.exporter = new PrometheusExporter({ preventServerStart: true, withoutScopeInfo: true });
    this.provider = new MeterProvider({ readers: [this.exporter] });
    const m = this.provider.getMeter('servicegateway-forwarder');
    this.meter = m;
    this.changes = m.createCounter('forwarder_changes_total', { description: 'Kubernetes changes seen, by kind and what became of them (queued, coalesced into a queued one, dropped because the outbox was full, with reason objects or bytes for the bound it hit, unchanged for the engine, not ours, rejected as unreadable, withheld: told to the engine as ObjectWithheld because it cannot be sent whole)' });
    this.changesSent = m.createCounter('forwarder_changes_sent_total', { description: 'Changes accepted by Service Bus, by kind (snapshot markers included)' });
    this.messagesSent = m.createCounter('forwarder_messages_sent_total', { description: 'Service Bus messages accepted, by format (single: one change; pack: several changes of one send round, ADR 0024)' });
    this.sendDuration = m.createHistogram('forwarder_send_duration_seconds', { description: 'Time of one send round to Service Bus', unit: 's' });
    this.sendFailures = m.createCounter('forwarder_send_failures_total', { description: 'Send rounds that failed and will be retried' });
    this.relists = m.createCounter('forwarder_relists_total', { description: 'Full lists, by kind and reason (start, expired, requested, error)' });
    this.watchRestarts = m.createCounter('forwarder_watch_restarts_total', { description: 'Watches re-opened, by kind and reason (ended, error)' });
    this.actionsRefused = m.createCounter('forwarder_actions_refused_total', { description: 'Engine actions the forwarder refused and completed without writing, by action and reason (NotLoadBalancer, ForeignLoadBalancerClass, NoServiceFinalizer, NotEgressPod): the object is not owned by the engine' });
    this.actions = m.createCounter('forwarder_actions_total', { description: 'Engine actions applied to the cluster, by action and result (applied, unchanged, gone; notOurs: refused by the forwarder, the object is not owned by the engine; refused, forbidden, conflict: final answers, completed; retry: one failed attempt; abandoned: given back for a later delivery; deadLettered)' });
  }

  /** Gauges read at scrape time. */
  observe(gauges: ForwarderGauges): void {
    const kinds: readonly KubeObjectKind[] = ['Service', 'EndpointSlice', 'Node', 'Pod'];
    this.meter.createObservableGauge('forwarder_outbox_changes', { description: 'Changes waiting to be sent' }).addCallback((r) => r.observe(gauges.outboxSize()));
    this.meter.createObservableGauge('forwarder_outbox_bytes', { description: 'Bytes of the message bodies waiting to be sent (bounded by FORWARDER_QUEUE_BYTES)', unit: 'By' }).addCallback((r) => r.observe(gauges.outboxBytes()));
    this.meter.createObservableGauge('forwarder_remembered_objects', { description: 'Objects whose last sent state is remembered, by kind' }).addCallback((r) => {
      for (const kind of kinds) r.observe(gauges.remembered(kind), { kind });
    });
    this.meter.createObservableGauge('forwarder_snapshot_sent', { description: '1 once the first full snapshot of the kind has been sent' }).addCallback((r) => {
      for (const kind of kinds) r.observe(gauges.synced(kind) ? 1 : 0, { kind });
    });
    this.meter.createObservableGauge('forwarder_process_resident_memory_bytes', { unit: 'By' }).addCallback((r) => r.observe(process.memoryUsage.rss()));
    this.meter.createObservableGauge('forwarder_process_heap_used_bytes', { unit: 'By' }).addCallback((r) => r.observe(process.memoryUsage().heapUsed));
    this.meter.createObservableCounter('forwarder_process_cpu_seconds_total', { unit: 's' }).addCallback((r) => {
      const u = process.cpuUsage();
      r.observe((u.user + u.system) / 1e6);
    });
  }

  /** Serves the Prometheus text format. */
  handle(req: IncomingMessage, res: ServerResponse): void {
    this.exporter.getMetricsRequestHandler(req, res);
  }

  async shutdown(): Promise<void> {
    await this.provider.shutdown();
  }
}
