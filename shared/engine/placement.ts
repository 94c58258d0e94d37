// Where each pod IP goes: the location (node InternalIP of the same family) and the services it
// belongs to. Pure functions over cached Kubernetes facts; bad input is reported, never guessed.
import { checkEgressIdentity } from './egressIdentity.ts';
import { familyOfAddressType, locationOf, parseIp } from './ip.ts';
import type { EndpointSliceFact, NodeFact, PodFact, RejectReason } from './types.ts';

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

/** Ready endpoints of a slice, each address under its node's same-family InternalIP. */
export function placeSliceEndpoints(slice: EndpointSliceFact, nodes: ReadonlyMap<string, { readonly fact: NodeFact }>): Placement {
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
      const node = nodes.get(ep.nodeName);
      if (!node) {
        rejected.push({ reason: 'UnknownNode', detail: `endpoint ${ip.canonical} is on unknown node ${ep.nodeName}` });
        continue;
      }
      const location = locationOf(node.fact.internalIPs, family);
      if (!location) {
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

export function podEgress(pod: PodFact): PodEgress {
  if (pod.egressLabel === null) return { kind: 'none' };
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
