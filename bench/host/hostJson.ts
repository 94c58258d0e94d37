// The Service Bus trigger settings of host.json, so that the benchmark's function host runs with
// the concurrency production is configured for (the local pipeline uses smaller numbers).
import { readFileSync } from 'node:fs';
import { z } from 'zod';

const hostJsonSchema = z.object({
  extensions: z.object({
    serviceBus: z.object({
      maxConcurrentCalls: z.number().int().positive(),
      maxConcurrentSessions: z.number().int().positive(),
      maxMessageBatchSize: z.number().int().positive(),
      sessionIdleTimeout: z.string().regex(/^\d\d:\d\d:\d\d$/),
    }),
  }),
});

export interface ServiceBusTriggerSettings {
  readonly maxConcurrentCalls: number;
  readonly maxConcurrentSessions: number;
  readonly maxMessageBatchSize: number;
  readonly sessionIdleTimeoutMs: number;
}

export function serviceBusTriggerSettings(hostJsonPath: URL): ServiceBusTriggerSettings {
  const sb = hostJsonSchema.parse(JSON.parse(readFileSync(hostJsonPath, 'utf8'))).extensions.serviceBus;
  const [h = 0, m = 0, s = 0] = sb.sessionIdleTimeout.split(':').map(Number);
  return {
    maxConcurrentCalls: sb.maxConcurrentCalls,
    maxConcurrentSessions: sb.maxConcurrentSessions,
    maxMessageBatchSize: sb.maxMessageBatchSize,
    sessionIdleTimeoutMs: ((h * 60 + m) * 60 + s) * 1_000,
  };
}
