// Which parts of the local host talk to real services instead of their local stand-ins. Nothing set
// means everything local (`npm start` needs no configuration). Each part is switched on by its own
// settings, so one can run the functions locally against a real cluster, namespace, account or
// Azure subscription; real ones use DefaultAzureCredential (az login, workload identity, ...).
// A real cluster is opted into explicitly (LOCAL_KUBECONFIG), never by an ambient KUBECONFIG: a
// developer's current context must not be written to by accident.
import { z } from 'zod';
import { NETWORK_SETTINGS } from '../../shared/azure/networkConfig.ts';

const settingsSchema = z
  .object({
    /** A kubeconfig file: the forwarder watches and writes back to that cluster. */
    LOCAL_KUBECONFIG: z.string().min(1).optional(),
    /** `<ns>.servicebus.windows.net` (DefaultAzureCredential) or a connection string, with the queues of infra/. */
    LOCAL_SERVICEBUS_NAMESPACE: z.string().regex(/^[a-z0-9-]+\.servicebus\.(windows\.net|chinacloudapi\.cn|usgovcloudapi\.net)$/i, 'a namespace host name, <name>.servicebus.windows.net').optional(),
    LOCAL_SERVICEBUS_CONNECTION_STRING: z.string().startsWith('Endpoint=', 'a connection string, Endpoint=sb://...').optional(),
    /** `https://<account>.table.core.windows.net` (DefaultAzureCredential) or a connection string. */
    LOCAL_STORAGE_TABLE_ENDPOINT: z.url({ protocol: /^https$/, error: 'an https table endpoint, https://<account>.table.core.windows.net' }).optional(),
    LOCAL_STORAGE_CONNECTION_STRING: z.string().includes('AccountName=', { message: 'a storage connection string' }).optional(),
    /** `true`: NRP is real Azure, addressed by the network settings (AZURE_SUBSCRIPTION_ID, ... as in the app). */
    LOCAL_AZURE_NETWORK: z.enum(['true', 'false']).optional(),
  })
  .refine((s) => !(s.LOCAL_SERVICEBUS_NAMESPACE && s.LOCAL_SERVICEBUS_CONNECTION_STRING), { message: 'set one of LOCAL_SERVICEBUS_NAMESPACE and LOCAL_SERVICEBUS_CONNECTION_STRING', path: ['LOCAL_SERVICEBUS_NAMESPACE'] })
  .refine((s) => !(s.LOCAL_STORAGE_TABLE_ENDPOINT && s.LOCAL_STORAGE_CONNECTION_STRING), { message: 'set one of LOCAL_STORAGE_TABLE_ENDPOINT and LOCAL_STORAGE_CONNECTION_STRING', path: ['LOCAL_STORAGE_TABLE_ENDPOINT'] });

export type RealAdapters = {
  readonly kubeconfigPath: string | null;
  readonly serviceBus: { readonly namespace: string } | { readonly connectionString: string } | null;
  readonly storage: { readonly tableEndpoint: string } | { readonly connectionString: string } | null;
  /** The app settings of the network (validated by the production reader when used). */
  readonly network: Readonly<Record<string, string | undefined>> | null;
};

export const NO_REAL_ADAPTERS: RealAdapters = { kubeconfigPath: null, serviceBus: null, storage: null, network: null };

/** The real adapters the environment asks for, or an error naming each bad setting. */
export function readRealAdapters(env: Readonly<Record<string, string | undefined>>): RealAdapters {
  const parsed = settingsSchema.safeParse(Object.fromEntries(Object.entries(env).filter(([k, v]) => k.startsWith('LOCAL_') && v !== undefined && v.trim() !== '')));
  if (!parsed.success) {
    throw new Error(`invalid local settings:\n  ${parsed.error.issues.map((i) => `${i.path.join('.') || '(settings)'}: ${i.message}`).join('\n  ')}`);
  }
  const s = parsed.data;
  return {
    kubeconfigPath: s.LOCAL_KUBECONFIG ?? null,
    serviceBus: s.LOCAL_SERVICEBUS_NAMESPACE ? { namespace: s.LOCAL_SERVICEBUS_NAMESPACE } : s.LOCAL_SERVICEBUS_CONNECTION_STRING ? { connectionString: s.LOCAL_SERVICEBUS_CONNECTION_STRING } : null,
    storage: s.LOCAL_STORAGE_TABLE_ENDPOINT ? { tableEndpoint: s.LOCAL_STORAGE_TABLE_ENDPOINT } : s.LOCAL_STORAGE_CONNECTION_STRING ? { connectionString: s.LOCAL_STORAGE_CONNECTION_STRING } : null,
    network: s.LOCAL_AZURE_NETWORK === 'true' ? Object.fromEntries(Object.values(NETWORK_SETTINGS).map((k) => [k, env[k]])) : null,
  };
}

/** What is real, for the banner; empty when everything is local. */
export function describeRealAdapters(a: RealAdapters): string[] {
  const out: string[] = [];
  if (a.kubeconfigPath) out.push(`Kubernetes: the cluster of ${a.kubeconfigPath}`);
  if (a.serviceBus) out.push(`Service Bus: ${'namespace' in a.serviceBus ? a.serviceBus.namespace : 'the namespace of LOCAL_SERVICEBUS_CONNECTION_STRING'}`);
  if (a.storage) out.push(`Table Storage: ${'tableEndpoint' in a.storage ? a.storage.tableEndpoint : 'the account of LOCAL_STORAGE_CONNECTION_STRING'}`);
  if (a.network) out.push(`NRP: Azure, subscription ${a.network[NETWORK_SETTINGS.subscriptionId] ?? '(unset)'}`);
  return out;
}

export const anyReal = (a: RealAdapters): boolean => describeRealAdapters(a).length > 0;
