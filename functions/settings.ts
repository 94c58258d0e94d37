// App settings the functions read, validated once at start with one clear error per problem.
// Identity-based settings use the `<Connection>__<property>` form the Functions host reads too.
import { z } from 'zod';
import { CLUSTER_PATTERN } from '../shared/messages/fieldSchemas.ts';

const settingsSchema = z
  .object({
    /** Local only: a storage connection string (Azurite). */
    STATE_STORAGE_CONNECTION_STRING: z.string().min(1).optional(),
    /** Azure: the table endpoint of the state account, used with the managed identity. */
    AzureWebJobsStorage__tableServiceUri: z.url().optional(),
    /** Local only: a Service Bus connection string (the test broker). */
    ServiceBusConnection: z.string().min(1).optional(),
    ServiceBusConnection__fullyQualifiedNamespace: z.string().min(1).optional(),
    /** Client id of the user-assigned managed identity, for every identity-based connection. */
    AZURE_CLIENT_ID: z.string().min(1).optional(),
    ENGINE_STATE_TABLE: z.string().regex(/^[A-Za-z][A-Za-z0-9]{2,62}$/, 'a table name: 3-63 letters and digits, starting with a letter').default('engineState'),
    ENGINE_CLUSTERS: z
      .string()
      .default('')
      .transform((s) => s.split(',').map((c) => c.trim()).filter((c) => c.length > 0))
      .refine((cs) => cs.every((c) => CLUSTER_PATTERN.test(c)), 'comma-separated cluster names (letters, digits, ".", "_", "-")'),
  })
  .refine((s) => s.STATE_STORAGE_CONNECTION_STRING !== undefined || s.AzureWebJobsStorage__tableServiceUri !== undefined, {
    message: 'set AzureWebJobsStorage__tableServiceUri (Azure, managed identity) or STATE_STORAGE_CONNECTION_STRING (local)',
    path: ['AzureWebJobsStorage__tableServiceUri'],
  })
  .refine((s) => s.ServiceBusConnection !== undefined || s.ServiceBusConnection__fullyQualifiedNamespace !== undefined, {
    message: 'set ServiceBusConnection__fullyQualifiedNamespace (Azure, managed identity) or ServiceBusConnection (local)',
    path: ['ServiceBusConnection__fullyQualifiedNamespace'],
  });

export type Settings = z.output<typeof settingsSchema>;

/**
 * Settings that are valid but leave part of the app idle, as log lines for the instance's start.
 * ENGINE_CLUSTERS empty: the debug views serve no cluster (ADR 0022) and the backstop reads none.
 */
export function settingsWarnings(s: Settings): string[] {
  return s.ENGINE_CLUSTERS.length === 0 ? ['ENGINE_CLUSTERS is empty: the debug views answer 404 for every cluster and the locationsBackstop timer reads NRP for none'] : [];
}

export function readSettings(env: Readonly<Record<string, string | undefined>>): Settings {
  const parsed = settingsSchema.safeParse(env);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(settings)'}: ${i.message}`);
  throw new Error(`invalid app settings:\n  ${problems.join('\n  ')}`);
}
