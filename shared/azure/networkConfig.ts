// Where the cluster's Azure network resources live, read from app settings and validated once at
// start with one clear error per setting (`AZURE_SUBSCRIPTION_ID: expected a GUID`). Defaults as
// in the reference (§7.1): the network subscription is the subscription, the VNet's resource group
// is the resource group, and the Service Gateway is `servicegateway`.
import { z } from 'zod';
import { clusterSchema } from '../messages/fieldSchemas.ts';
import type { ServiceGatewayIds } from '../engine/serviceRequests.ts';

export interface NetworkConfig extends ServiceGatewayIds {
  /** Resolved: never empty (defaults to subscriptionId). */
  readonly networkSubscriptionId: string;
  /** Resolved: never empty (defaults to resourceGroup). */
  readonly vnetResourceGroup: string;
  readonly clusterName: string;
}

/** The app setting each field is read from. */
export const NETWORK_SETTINGS = {
  subscriptionId: 'AZURE_SUBSCRIPTION_ID',
  networkSubscriptionId: 'AZURE_NETWORK_SUBSCRIPTION_ID',
  resourceGroup: 'AZURE_RESOURCE_GROUP',
  vnetName: 'AZURE_VNET_NAME',
  vnetResourceGroup: 'AZURE_VNET_RESOURCE_GROUP',
  location: 'AZURE_LOCATION',
  serviceGatewayName: 'SERVICE_GATEWAY_NAME',
  clusterName: 'CLUSTER_NAME',
} as const satisfies Record<keyof NetworkConfig, string>;

export const DEFAULT_SERVICE_GATEWAY_NAME = 'servicegateway';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Resource group names: 1-90 letters, digits, '_', '-', '.', '(' or ')', not ending in '.'. */
const RESOURCE_GROUP = /^[\p{L}\p{N}_().-]{0,89}[\p{L}\p{N}_()-]$/u;
/** Network resource names (VNet, Service Gateway): a letter or digit, then letters, digits, '_', '.'
 * or '-', ending in a letter, digit or '_'. */
const networkName = (min: number, max: number): RegExp => new RegExp(`^(?=.{${min},${max}}$)[A-Za-z0-9]([A-Za-z0-9_.-]*[A-Za-z0-9_])?$`);
/** Programmatic region names: `westeurope`, `eastus2`, `usgovvirginia` (not `West Europe`). */
const REGION = /^[a-z][a-z0-9]{1,39}$/;

/** An app setting that is set (blank counts as unset, as the portal often leaves them). */
function setting(what: string) {
  return z.preprocess(
    (v) => (typeof v === 'string' ? v.trim() : v),
    z.string({ error: (issue) => (issue.input === undefined ? 'required' : `expected ${what}`) }).min(1, 'required'),
  );
}

function optionalSetting<T extends z.ZodType>(schema: T) {
  return z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : typeof v === 'string' ? v.trim() : v), schema.optional());
}

const guid = setting('a GUID').pipe(z.string().regex(GUID, 'expected a GUID').transform((s) => s.toLowerCase()));
const resourceGroup = setting('a resource group name').pipe(z.string().regex(RESOURCE_GROUP, "expected a resource group name (1-90 letters, digits, '_', '-', '.', '(' or ')', not ending in '.')"));

const settingsSchema = z.object({
  AZURE_SUBSCRIPTION_ID: guid,
  AZURE_NETWORK_SUBSCRIPTION_ID: optionalSetting(guid),
  AZURE_RESOURCE_GROUP: resourceGroup,
  AZURE_VNET_NAME: setting('a virtual network name').pipe(z.string().regex(networkName(2, 64), "expected a virtual network name (2-64 letters, digits, '_', '.' or '-')")),
  AZURE_VNET_RESOURCE_GROUP: optionalSetting(resourceGroup),
  AZURE_LOCATION: setting('an Azure region name').pipe(
    z
      .string()
      .transform((s) => s.toLowerCase())
      .pipe(z.string().regex(REGION, 'expected an Azure region name such as westeurope or eastus2 (lower case, no spaces)')),
  ),
  SERVICE_GATEWAY_NAME: optionalSetting(
    setting('a Service Gateway name').pipe(z.string().regex(networkName(1, 80), "expected a Service Gateway name (1-80 letters, digits, '_', '.' or '-')")),
  ),
  CLUSTER_NAME: setting('a cluster name').pipe(clusterSchema),
});

export class NetworkConfigError extends Error {
  override readonly name = 'NetworkConfigError';
  /** One line per problem: `<SETTING>: <what is wrong>`. */
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`invalid network settings:\n  ${problems.join('\n  ')}`);
    this.problems = problems;
  }
}

/** The network configuration in `env`; throws NetworkConfigError naming every bad setting. */
export function readNetworkConfig(env: Readonly<Record<string, string | undefined>>): NetworkConfig {
  const parsed = settingsSchema.safeParse(env);
  if (!parsed.success) {
    throw new NetworkConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || '(settings)'}: ${i.message}`));
  }
  const s = parsed.data;
  return {
    subscriptionId: s.AZURE_SUBSCRIPTION_ID,
    networkSubscriptionId: s.AZURE_NETWORK_SUBSCRIPTION_ID ?? s.AZURE_SUBSCRIPTION_ID,
    resourceGroup: s.AZURE_RESOURCE_GROUP,
    vnetName: s.AZURE_VNET_NAME,
    vnetResourceGroup: s.AZURE_VNET_RESOURCE_GROUP ?? s.AZURE_RESOURCE_GROUP,
    location: s.AZURE_LOCATION,
    serviceGatewayName: s.SERVICE_GATEWAY_NAME ?? DEFAULT_SERVICE_GATEWAY_NAME,
    clusterName: s.CLUSTER_NAME,
  };
}
