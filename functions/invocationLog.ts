// Where a function's structured log lines go: the invocation's own log (the Functions host ties it
// to the invocation, and with OpenTelemetry on, to its trace), unless the telemetry names a sink.
import { EngineLog, logSinkOf, silentLog } from '../shared/telemetry/engineLog.ts';
import type { EngineLogFields, LogTarget } from '../shared/telemetry/engineLog.ts';
import type { Dependencies } from './dependencies.ts';
import { telemetryOf } from './dependencies.ts';

export function invocationLog(deps: Dependencies, target: LogTarget | undefined, fields: EngineLogFields = {}): EngineLog {
  const sink = telemetryOf(deps).logSink ?? (target ? logSinkOf(target) : null);
  return sink ? new EngineLog(sink, fields) : silentLog.with(fields);
}
