// The Service Bus trigger settings of host.json, so that the local trigger hosts run with what
// production is configured for (the local pipeline takes its lock renewal, with smaller concurrency).
import { readFileSync } from 'node:fs';
import { z } from 'zod';

/** A .NET TimeSpan as host.json writes it: [d.]hh:mm:ss. */
const TIMESPAN = /^(?:\d+\.)?\d\d:\d\d:\d\d$/;

export function timeSpanMs(text: string): number {
  const [days, clock] = text.includes('.') ? text.split('.') : ['0', text];
  const [h = 0, m = 0, s = 0] = (clock ?? '').split(':').map(Number);
  return (((Number(days) * 24 + h) * 60 + m) * 60 + s) * 1_000;
}

const hostJsonSchema = z.object({
  extensions: z.object({
    serviceBus: z.object({
      maxConcurrentCalls: z.number().int().positive(),
      maxConcurrentSessions: z.number().int().positive(),
      maxMessageBatchSize: z.number().int().positive(),
      sessionIdleTimeout: z.string().regex(TIMESPAN),
      maxAutoLockRenewalDuration: z.string().regex(TIMESPAN),
    }),
  }),
});

export interface ServiceBusTriggerSettings {
  readonly maxConcurrentCalls: number;
  readonly maxConcurrentSessions: number;
  readonly maxMessageBatchSize: number;
  readonly sessionIdleTimeoutMs: number;
  readonly maxAutoLockRenewalDurationMs: number;
}

export function serviceBusTriggerSettings(hostJsonPath: URL): ServiceBusTriggerSettings {
  const sb = hostJsonSchema.parse(JSON.parse(readFileSync(hostJsonPath, 'utf8'))).extensions.serviceBus;
  return {
    maxConcurrentCalls: sb.maxConcurrentCalls,
    maxConcurrentSessions: sb.maxConcurrentSessions,
    maxMessageBatchSize: sb.maxMessageBatchSize,
    sessionIdleTimeoutMs: timeSpanMs(sb.sessionIdleTimeout),
    maxAutoLockRenewalDurationMs: timeSpanMs(sb.maxAutoLockRenewalDuration),
  };
}
