// Forwarder settings from the environment, validated once at start with one clear line per problem.
// In a cluster the Service Bus namespace is reached with workload identity (DefaultAzureCredential);
// a connection string is for local development against the test broker only.
import { z } from 'zod';
import { clusterSchema } from '../shared/messages/fieldSchemas.ts';
import { DEFAULT_OUTBOX_BOUNDS } from './changeQueue.ts';

const MIN_QUEUE_BYTES = 1024 * 1024;

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

const settingsSchema = z
  .object({
    CLUSTER_NAME: clusterSchema,
    SERVICEBUS_FULLY_QUALIFIED_NAMESPACE: z.string().min(1).optional(),
    SERVICEBUS_CONNECTION_STRING: z.string().min(1).optional(),
    FORWARDER_HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
    /** Objects waiting to be sent; beyond it a change is dropped and its kind relisted later. */
    FORWARDER_QUEUE_CAPACITY: positiveInt(DEFAULT_OUTBOX_BOUNDS.maxObjects),
    /** Bytes of message bodies waiting to be sent; the same overflow as the capacity. At least 1 MiB, so
     * that a change of the largest size a message may have (256 KiB) always fits an empty outbox. */
    FORWARDER_QUEUE_BYTES: z.coerce.number().int().min(MIN_QUEUE_BYTES).default(DEFAULT_OUTBOX_BOUNDS.maxBytes),
    /** Time SIGTERM leaves for sending what is queued (keep it below terminationGracePeriodSeconds). */
    FORWARDER_SHUTDOWN_GRACE_MS: positiveInt(20_000),
    /** How long a send round waits for more changes to share its messages (ADR 0024); 0 sends at once. */
    FORWARDER_SEND_LINGER_MS: z.coerce.number().int().min(0).max(5_000).default(100),
    /** A kind that has not listed or watched successfully for this long fails /healthz. */
    FORWARDER_STALL_MS: positiveInt(5 * 60_000),
    LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
    KUBECONFIG: z.string().min(1).optional(),
    /** The pod name (downward API), used as the reporting instance of Events. */
    POD_NAME: z.string().min(1).optional(),
  })
  .refine((s) => (s.SERVICEBUS_FULLY_QUALIFIED_NAMESPACE === undefined) !== (s.SERVICEBUS_CONNECTION_STRING === undefined), {
    message: 'set exactly one of SERVICEBUS_FULLY_QUALIFIED_NAMESPACE (in a cluster, workload identity) or SERVICEBUS_CONNECTION_STRING (local)',
    path: ['SERVICEBUS_FULLY_QUALIFIED_NAMESPACE'],
  });

export type ForwarderSettings = z.output<typeof settingsSchema>;

export function readForwarderSettings(env: Readonly<Record<string, string | undefined>>): ForwarderSettings {
  const parsed = settingsSchema.safeParse(env);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(settings)'}: ${i.message}`);
  throw new Error(`invalid forwarder settings:\n  ${problems.join('\n  ')}`);
}
