// The engine's log lines: one JSON object each, with the fields operators filter on (`cluster`,
// `serviceUid`, `operation`, `state`, `durationMs`, `correlationId`) and the trace id, so a line
// joins its trace in Application Insights. A field that is not known is left out, never written as
// null. Values are scalars by type, so no object is ever logged whole, and strings are cut and
// scrubbed of anything shaped like a credential (ARM and Service Bus errors can quote them).
import { activeTraceId } from './traceContext.ts';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogValue = string | number | boolean | null | undefined;

export interface EngineLogFields {
  readonly cluster?: string | undefined;
  /** Lower-cased Service UID: the NRP name of an inbound service. */
  readonly serviceUid?: string | undefined;
  /** The NRP name of an outbound service. */
  readonly egressIdentity?: string | undefined;
  readonly operation?: string | undefined;
  readonly state?: string | undefined;
  readonly durationMs?: number | undefined;
  readonly correlationId?: string | undefined;
  readonly [field: string]: LogValue;
}

/** Where lines go; an InvocationContext is one. */
export interface LogTarget {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export type LogSink = (level: LogLevel, line: string) => void;

const MAX_VALUE_CHARS = 1_000;
const SECRET = /\b(AccountKey|SharedAccessKey|SharedAccessSignature|sig|password|client_secret|access_token)=[^;&\s"]+/gi;
const BEARER = /\bBearer\s+[A-Za-z0-9._~+/=-]+/g;

function scrubbed(value: string): string {
  const s = value.replace(SECRET, '$1=[redacted]').replace(BEARER, 'Bearer [redacted]');
  return s.length > MAX_VALUE_CHARS ? `${s.slice(0, MAX_VALUE_CHARS)}…` : s;
}

export function logSinkOf(target: LogTarget): LogSink {
  return (level, line) => target[level](line);
}

export class EngineLog {
  private readonly sink: LogSink;
  private readonly base: EngineLogFields;

  constructor(sink: LogSink, base: EngineLogFields = {}) {
    this.sink = sink;
    this.base = base;
  }

  /** A log whose lines all carry `fields` too. */
  with(fields: EngineLogFields): EngineLog {
    return new EngineLog(this.sink, { ...this.base, ...fields });
  }

  debug(msg: string, fields: EngineLogFields = {}): void {
    this.write('debug', msg, fields);
  }

  info(msg: string, fields: EngineLogFields = {}): void {
    this.write('info', msg, fields);
  }

  warn(msg: string, fields: EngineLogFields = {}): void {
    this.write('warn', msg, fields);
  }

  error(msg: string, fields: EngineLogFields = {}): void {
    this.write('error', msg, fields);
  }

  private write(level: LogLevel, msg: string, fields: EngineLogFields): void {
    const line: Record<string, string | number | boolean | null> = { msg };
    for (const [key, value] of Object.entries({ ...this.base, ...fields, traceId: activeTraceId() })) {
      if (value === undefined) continue;
      line[key] = typeof value === 'string' ? scrubbed(value) : value;
    }
    this.sink(level, JSON.stringify(line));
  }
}

/** A log that drops everything (callers that pass none). */
export const silentLog = new EngineLog(() => undefined);
