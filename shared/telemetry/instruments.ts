// OpenTelemetry instruments made only from the table in metricNames.ts, with the table's labels as
// the type of their attributes: a data point with a missing, extra or misspelt label does not compile.
import type { Meter } from '@opentelemetry/api';
import { ENGINE_METRICS } from './metricNames.ts';
import type { EngineMetricName, MetricNamesOf } from './metricNames.ts';

export type LabelsOf<N extends EngineMetricName> = { readonly [K in (typeof ENGINE_METRICS)[N]['labels'][number]]: string };

export interface TypedCounter<N extends MetricNamesOf<'counter'>> {
  add(value: number, labels: LabelsOf<N>): void;
}

export interface TypedHistogram<N extends MetricNamesOf<'histogram'>> {
  record(value: number, labels: LabelsOf<N>): void;
}

export type GaugeEmit<N extends MetricNamesOf<'gauge'>> = (value: number, labels: LabelsOf<N>) => void;

function optionsOf(name: EngineMetricName): { description: string; unit?: string; advice?: { explicitBucketBoundaries: number[] } } {
  const spec: { description: string; unit?: string; buckets?: readonly number[] } = ENGINE_METRICS[name];
  return {
    description: spec.description,
    ...(spec.unit === undefined ? {} : { unit: spec.unit }),
    ...(spec.buckets === undefined ? {} : { advice: { explicitBucketBoundaries: [...spec.buckets] } }),
  };
}

export function counterOf<N extends MetricNamesOf<'counter'>>(meter: Meter, name: N): TypedCounter<N> {
  const c = meter.createCounter(name, optionsOf(name));
  return { add: (value, labels) => c.add(value, labels) };
}

export function histogramOf<N extends MetricNamesOf<'histogram'>>(meter: Meter, name: N): TypedHistogram<N> {
  const h = meter.createHistogram(name, optionsOf(name));
  return { record: (value, labels) => h.record(value, labels) };
}

/** An observable gauge: `observe` runs at each collection and emits the current values. */
export function gaugeOf<N extends MetricNamesOf<'gauge'>>(meter: Meter, name: N, observe: (emit: GaugeEmit<N>) => void): void {
  meter.createObservableGauge(name, optionsOf(name)).addCallback((result) => observe((value, labels) => result.observe(value, labels)));
}
