// Everything the shell reports through, built from an injected Meter and Tracer. Production uses
// the global ones (which useAzureMonitor installs); a test builds its own MeterProvider with a pull
// reader, because a global provider can be set only once per process.
import { metrics, trace } from '@opentelemetry/api';
import type { Meter, Tracer } from '@opentelemetry/api';
import type { LogSink } from './engineLog.ts';
import { EngineMetrics } from './engineMetrics.ts';
import { ENGINE_METER_NAME } from './metricNames.ts';
import { NrpMetrics } from './nrpMetrics.ts';

export interface Telemetry {
  readonly engine: EngineMetrics;
  readonly nrp: NrpMetrics;
  readonly tracer: Tracer;
  /** Where engine log lines go instead of the invocation's own log (the local host, tests). */
  readonly logSink?: LogSink | undefined;
}

export interface TelemetryOptions {
  readonly meter?: Meter | undefined;
  readonly tracer?: Tracer | undefined;
  /** The clock gauges age and expire by. */
  readonly now?: (() => number) | undefined;
  readonly gaugesStaleAfterMs?: number | undefined;
  readonly logSink?: LogSink | undefined;
}

export function createTelemetry(options: TelemetryOptions = {}): Telemetry {
  const meter = options.meter ?? metrics.getMeter(ENGINE_METER_NAME);
  return {
    engine: new EngineMetrics(meter, { now: options.now, staleAfterMs: options.gaugesStaleAfterMs }),
    nrp: new NrpMetrics(meter),
    tracer: options.tracer ?? trace.getTracer(ENGINE_METER_NAME),
    logSink: options.logSink,
  };
}

let processTelemetry: Telemetry | null = null;

/**
 * The process's telemetry on the global providers, made on first use: the metrics API has no
 * proxy, so a meter taken before useAzureMonitor() registers the SDK would stay a no-op forever.
 */
export function defaultTelemetry(): Telemetry {
  processTelemetry ??= createTelemetry();
  return processTelemetry;
}
