// Reads metrics the way tooling-facts §8 prescribes: a MeterProvider of the test's own with a pull
// MetricReader, collected on demand. No global provider is touched, so each probe starts at zero.
// Gauges are read with delta temporality, as the Azure Monitor exporter reads them: a series not
// observed in a collection is absent from it, rather than repeated at its last value.
import type { Meter } from '@opentelemetry/api';
import { AggregationTemporality, DataPointType, InstrumentType, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import type { MetricData } from '@opentelemetry/sdk-metrics';
import { ENGINE_METRICS } from '../../../shared/telemetry/metricNames.ts';
import type { EngineMetricName } from '../../../shared/telemetry/metricNames.ts';

class PullReader extends MetricReader {
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

export type Labels = Readonly<Record<string, string>>;

export interface Point {
  readonly labels: Labels;
  /** A counter's sum, a gauge's value, a histogram's count. */
  readonly value: number;
  /** Histograms only. */
  readonly sum?: number | undefined;
}

export class MetricProbe {
  readonly meter: Meter;
  private readonly reader = new PullReader({
    aggregationTemporalitySelector: (t) => (t === InstrumentType.OBSERVABLE_GAUGE ? AggregationTemporality.DELTA : AggregationTemporality.CUMULATIVE),
  });

  constructor() {
    const provider = new MeterProvider({ readers: [this.reader] });
    this.meter = provider.getMeter('test');
  }

  /** Every data point of `name`, checking that each carries exactly the table's labels. */
  async points(name: EngineMetricName): Promise<Point[]> {
    const { resourceMetrics } = await this.reader.collect();
    const metric: MetricData | undefined = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).find((m) => m.descriptor.name === name);
    if (!metric) return [];
    const expected = [...ENGINE_METRICS[name].labels].sort().join(',');
    return metric.dataPoints.map((p) => {
      const labels = Object.fromEntries(Object.entries(p.attributes).map(([k, v]) => [k, String(v)]));
      const got = Object.keys(labels).sort().join(',');
      if (got !== expected) throw new Error(`${name}: a data point has labels [${got}], the table says [${expected}]`);
      if (metric.dataPointType === DataPointType.HISTOGRAM) {
        const h = p.value as { count: number; sum?: number };
        return { labels, value: h.count, sum: h.sum ?? 0 };
      }
      return { labels, value: p.value as number };
    });
  }

  /** The point whose labels include `labels`, or undefined. */
  async point(name: EngineMetricName, labels: Labels = {}): Promise<Point | undefined> {
    const matching = (await this.points(name)).filter((p) => Object.entries(labels).every(([k, v]) => p.labels[k] === v));
    if (matching.length > 1) throw new Error(`${name}: ${matching.length} points match ${JSON.stringify(labels)}`);
    return matching[0];
  }

  /** A gauge's value, or undefined when it was not reported. */
  async value(name: EngineMetricName, labels: Labels = {}): Promise<number | undefined> {
    return (await this.point(name, labels))?.value;
  }

  /** A counter's total, 0 when never recorded. */
  async count(name: EngineMetricName, labels: Labels = {}): Promise<number> {
    return (await this.point(name, labels))?.value ?? 0;
  }

  /** Count and sum of a histogram's matching point ({0, 0} when never recorded). */
  async histogram(name: EngineMetricName, labels: Labels = {}): Promise<{ count: number; sum: number }> {
    const p = await this.point(name, labels);
    return { count: p?.value ?? 0, sum: p?.sum ?? 0 };
  }
}
