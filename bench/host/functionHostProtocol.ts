// What the benchmark's parent and its function-host child say to each other: the child's start-up
// configuration (one environment variable, JSON) and the statistics it reports over IPC.
import { z } from 'zod';

export const HOST_CONFIG_ENV = 'BENCH_FUNCTION_HOST';

export const functionHostConfigSchema = z.object({
  cluster: z.string().min(1),
  brokerConnectionString: z.string().min(1),
  tablesConnectionString: z.string().min(1),
  /** Where the NRP simulator listens and what it serves (the simulator runs in the parent). */
  nrp: z.object({ baseUrl: z.string().min(1), subscriptionId: z.string().min(1), resourceGroup: z.string().min(1), location: z.string().min(1) }),
  /** The functions' NRP write budget (throttleDefaults' Budget fields); {} is production's. */
  writeBudget: z.object({ limit: z.number().positive().optional(), share: z.number().positive().max(1).optional(), burst: z.number().min(1).optional() }),
  /** Engine tuning over the production defaults (set-up only; measured runs pass none). */
  engineConfig: z.object({ maxConcurrentOperations: z.number().int().positive().optional(), locationsSyncIntervalMs: z.number().int().positive().optional() }).default({}),
  /** Messages per batch for `cardinality: many` (default host.json's). */
  maxMessageBatchSize: z.number().int().positive().optional(),
});

export type FunctionHostConfig = z.input<typeof functionHostConfigSchema>;

export interface FunctionHostStats {
  /** Invocations started, per function. */
  readonly executions: Readonly<Record<string, number>>;
  /** Invocations that threw: their messages were abandoned, to be delivered again. */
  readonly failedInvocations: number;
  /** Batches received on a session receiver the SDK had closed (drain unanswered): redelivered, not worked on. */
  readonly closedBeforeInvocation: number;
  /** Time during which at least one invocation ran: what Flex Consumption bills as GB-s per GB. */
  readonly busyMs: number;
  readonly inFlight: number;
  /** HTTP requests to Table Storage (each one a billable transaction), by kind. */
  readonly tableRequests: Readonly<Record<string, number>>;
  readonly rssBytes: number;
  readonly heapUsedBytes: number;
}

export type ChildMessage = { readonly kind: 'ready' } | { readonly kind: 'stats'; readonly stats: FunctionHostStats };
export type ParentMessage = { readonly kind: 'stats' } | { readonly kind: 'stop' };

export function isChildMessage(m: unknown): m is ChildMessage {
  return typeof m === 'object' && m !== null && 'kind' in m && (m.kind === 'ready' || m.kind === 'stats');
}

export function isParentMessage(m: unknown): m is ParentMessage {
  return typeof m === 'object' && m !== null && 'kind' in m && (m.kind === 'stats' || m.kind === 'stop');
}
