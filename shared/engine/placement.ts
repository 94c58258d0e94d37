// Where each pod IP goes: the location (node InternalIP of the same family) and the services it
// belongs to. Pure functions over cached Kubernetes facts; bad input is reported, never guessed.
import { checkEgressIdentity } from './egressIdentity.ts';
import { familyOfAddressType, locationOf, parseIp } from './ip.ts';
import type { EndpointSliceFact, IpFamily, NodeFact, PodFact, PodRegistration, RejectReason } from './types.ts';

export interface PlacedAddress {
  readonly location: string;
  readonly address: string;
}

export interface Rejection {
  readonly reason: RejectReason;
  readonly detail: string;
}

export interface Placement {
  readonly placed: readonly PlacedAddress[];
  readonly rejected: readonly Rejection[];
}

/** A node's location for a family: null when it has no such InternalIP, undefined when the node is unknown. */
export type NodeLocator = (nodeName: string, family: IpFamily) => string | null | undefined;

/** Resolves each node's locations once, however many endpoints sit on it. */
export function nodeLocator(nodes: ReadonlyMap<string, { readonly fact: NodeFact }>): NodeLocator {
  const v4 = new Map<string, string | null>();
  const v6 = new Map<string, string | null>();
  return (nodeName, family) => {
    const cache = family === 'IPv4' ? v4 : v6;
    const hit = cache.get(nodeName);
    if (hit !== undefined) return hit;
    const node = nodes.get(nodeName);
    if (!node) return undefined;
    const location = locationOf(node.fact.internalIPs, family);
    cache.set(nodeName, location);
    return location;
  };
}

/** Ready endpoints of a slice, each address under its node's same-family InternalIP. */
export function placeSliceEndpoints(
  slice: EndpointSliceFact,
  nodes: ReadonlyMap<string, { readonly fact: NodeFact }>,
  locate: NodeLocator = nodeLocator(nodes),
): Placement {
  const placed: PlacedAddress[] = [];
  const rejected: Rejection[] = [];
  const family = familyOfAddressType(slice.addressType);
  if (!family) return { placed, rejected }; // FQDN slices carry no pod IPs
  for (const ep of slice.endpoints) {
    if (ep.ready === false) continue;
    for (const raw of ep.addresses) {
      const ip = parseIp(raw);
      if (!ip) {
        rejected.push({ reason: 'BadIp', detail: `endpoint address "${raw}" is not an IP address` });
        continue;
      }
      if (ip.family !== family) {
        rejected.push({ reason: 'FamilyMismatch', detail: `endpoint address ${ip.canonical} in an ${family} slice` });
        continue;
      }
      if (!ep.nodeName) {
        rejected.push({ reason: 'NoNodeName', detail: `endpoint ${ip.canonical} has no nodeName` });
        continue;
      }
      const location = locate(ep.nodeName, family);
      if (location === undefined) {
        rejected.push({ reason: 'UnknownNode', detail: `endpoint ${ip.canonical} is on unknown node ${ep.nodeName}` });
        continue;
      }
      if (location === null) {
        rejected.push({ reason: 'NoSameFamilyLocation', detail: `node ${ep.nodeName} has no ${family} InternalIP for ${ip.canonical}` });
        continue;
      }
      placed.push({ location, address: ip.canonical });
    }
  }
  return { placed, rejected };
}

/** Running or Pending, not terminating: the reference registers only these. */
export function isLivePod(pod: PodFact): boolean {
  return !pod.deleting && (pod.phase === 'Running' || pod.phase === 'Pending');
}

export type PodEgress =
  | { readonly kind: 'none' }
  | { readonly kind: 'invalid'; readonly rejection: Rejection }
  | { readonly kind: 'identity'; readonly identity: string };

/** The egress identity a pod's label names. An empty value names none: the pod is simply not an
 * egress pod (no Warning Event, no rejection), as a pod without the label. */
export function podEgress(pod: PodFact): PodEgress {
  if (pod.egressLabel === null || pod.egressLabel === '') return { kind: 'none' };
  const check = checkEgressIdentity(pod.egressLabel);
  if (!check.valid) return { kind: 'invalid', rejection: { reason: check.reason, detail: check.message } };
  return { kind: 'identity', identity: check.identity };
}

/** Each pod IP under the pod's same-family host IP (egress locations follow status.hostIPs). */
export function placePodAddresses(pod: PodFact): Placement {
  const placed: PlacedAddress[] = [];
  const rejected: Rejection[] = [];
  for (const raw of pod.podIPs) {
    const ip = parseIp(raw);
    if (!ip) {
      rejected.push({ reason: 'BadIp', detail: `pod IP "${raw}" is not an IP address` });
      continue;
    }
    const location = locationOf(pod.hostIPs, ip.family);
    if (!location) {
      rejected.push({ reason: 'NoSameFamilyLocation', detail: `pod IP ${ip.canonical} has no ${ip.family} host IP` });
      continue;
    }
    placed.push({ location, address: ip.canonical });
  }
  return { placed, rejected };
}

/** What a pod registers as: live, a valid egress identity, and at least one placed address. */
export function podRegistration(pod: PodFact): PodRegistration | null {
  if (!isLivePod(pod)) return null;
  const egress = podEgress(pod);
  if (egress.kind !== 'identity') return null;
  const { placed } = placePodAddresses(pod);
  return placed.length > 0 ? { identity: egress.identity, addresses: placed } : null;
}
