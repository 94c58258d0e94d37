// The tags every public IP, load balancer and NAT gateway this engine creates carries, and how a
// listed resource is recognised as this engine's for a cluster (docs/adr/0013). Only what is tagged
// for the cluster, with the name this engine gives a resource of the tagged service, is ever ours:
// an untagged resource, a foreign one, or one named otherwise is never touched.
import { inboundPublicIpName, publicIpName } from './serviceRequests.ts';
import type { AzureResourceType, ManagedResource, ServiceKind } from './types.ts';

/** ARM tag names may not contain '/', '<', '>', '%', '&', '\' or '?'; these do not. */
export const TAG_CLUSTER = 'servicegateway-engine-cluster';
export const TAG_KIND = 'servicegateway-engine-kind';
export const TAG_SERVICE = 'servicegateway-engine-service';

export type ResourceTags = Readonly<Record<typeof TAG_CLUSTER | typeof TAG_KIND | typeof TAG_SERVICE, string>>;

/** The tags of a resource created for the service `service` (its NRP name) of `cluster`. */
export function resourceTags(cluster: string, kind: ServiceKind, service: string): ResourceTags {
  return { [TAG_CLUSTER]: cluster, [TAG_KIND]: kind, [TAG_SERVICE]: service };
}

/** The names this engine gives the resources of one service (reference §3.1, §3.3). */
export function isNameOf(resourceType: AzureResourceType, name: string, kind: ServiceKind, service: string): boolean {
  const n = name.toLowerCase();
  const s = service.toLowerCase();
  switch (resourceType) {
    case 'loadBalancer':
      return kind === 'inbound' && n === s;
    case 'natGateway':
      return kind === 'outbound' && n === s;
    case 'publicIPAddress':
      return kind === 'inbound' ? n === inboundPublicIpName(s) : n === publicIpName(s, 'IPv4') || n === publicIpName(s, 'IPv6');
  }
}

/** ARM tag names are case-insensitive. */
function tagOf(tags: Readonly<Record<string, string>>, name: string): string | undefined {
  if (tags[name] !== undefined) return tags[name];
  const key = Object.keys(tags).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : tags[key];
}

/** The cluster a resource's tags give it to, or null when they name none (untagged, or not ours). */
export function taggedCluster(tags: Readonly<Record<string, string>> | undefined): string | null {
  return tags === undefined ? null : (tagOf(tags, TAG_CLUSTER) ?? null);
}

/** The resources a delete of a service removes, by name (reference §3.4, §3.5). */
export function resourcesOfService(kind: ServiceKind, service: string): readonly { readonly resourceType: AzureResourceType; readonly name: string }[] {
  if (kind === 'inbound') return [{ resourceType: 'loadBalancer', name: service }, { resourceType: 'publicIPAddress', name: inboundPublicIpName(service) }];
  return [
    { resourceType: 'natGateway', name: service },
    { resourceType: 'publicIPAddress', name: publicIpName(service, 'IPv4') },
    { resourceType: 'publicIPAddress', name: publicIpName(service, 'IPv6') },
  ];
}

/** A listed resource as this engine's resource of `cluster`, or null when it is not (untagged, foreign, misnamed). */
export function managedResourceOf(
  resourceType: AzureResourceType,
  listed: { readonly name?: string | undefined; readonly id?: string | undefined; readonly tags?: Readonly<Record<string, string>> | undefined },
  cluster: string,
): ManagedResource | null {
  const { name, id, tags } = listed;
  if (name === undefined || id === undefined || tags === undefined) return null;
  const kind = tagOf(tags, TAG_KIND);
  const service = tagOf(tags, TAG_SERVICE)?.toLowerCase();
  if (taggedCluster(tags) !== cluster || (kind !== 'inbound' && kind !== 'outbound') || !service) return null;
  if (!isNameOf(resourceType, name, kind, service)) return null;
  return { resourceType, name, id, cluster, serviceKind: kind, service };
}
