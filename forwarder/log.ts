// Structured logs: one JSON object per line on stdout, so the cluster's log pipeline can index the
// fields. Objects are never logged whole; callers pass the few fields that identify them.
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Readonly<Record<string, string | number | boolean | null | undefined>>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

const RANK: Readonly<Record<LogLevel, number>> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface JsonLoggerOptions {
  readonly level?: LogLevel | undefined;
  readonly component?: string | undefined;
  readonly write?: ((line: string) => void) | undefined;
  readonly now?: (() => number) | undefined;
}

export function jsonLogger(options: JsonLoggerOptions = {}): Logger {
  const min = RANK[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => process.stdout.write(line));
  const now = options.now ?? Date.now;
  const component = options.component ?? 'forwarder';
  const at = (level: LogLevel) => (msg: string, fields: LogFields = {}): void => {
    if (RANK[level] < min) return;
    write(`${JSON.stringify({ time: new Date(now()).toISOString(), level, component, msg, ...fields })}\n`);
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** The message of an unknown thrown value, without its stack. */
export function errorText(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return String(e);
}
