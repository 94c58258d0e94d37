// What the cluster asks for, derived from the cached Kubernetes facts. Deriving (rather than
// keeping a second, incrementally patched copy) is what makes buffering exact: an address
// references a service only once that service is ready, so "replay buffered endpoints in order on
// success" and "drop buffers on delete" both fall out of one rule (docs/adr/0002).
import { admitInboundService, isOurs } from './admission.ts';
import type { AdmissionReason } from './admission.ts';
import { canonicalIp, familyOfAddressType, locationOf } from './ip.ts';
import { nodeLocator } from './placement.ts';
import { linkedService } from './sliceLinks.ts';
import { liveEgressIdentity } from './podIndex.ts';
import type { PodKeys } from './podIndex.ts';
import type { InboundConfig } from './types.ts';
import { isReadyToSync } from './view.ts';
import type { EngineView } from './view.ts';

export type DesiredInbound =
  | { readonly status: 'present'; readonly config: InboundConfig }
  /** Ours, but not buildable: existing Azure resources are left as they are (reference §7.5). */
  | { readonly status: 'rejected'; readonly reason: AdmissionReason; readonly message: string }
  | { readonly status: 'absent' };

export function desiredInbound(view: EngineView, name: string): DesiredInbound {
  const cached = view.kubeServices.get(name);
  if (!cached) return { status: 'absent' };
  const svc = cached.fact;
  if (!isOurs(svc) || svc.deleting) return { status: 'absent' };
  const admission = admitInboundService(svc);
  if (!admission.admitted) return { status: 'rejected', reason: admission.reason, message: admission.message };
  return { status: 'present', config: admission.config };
}

/** An inbound name takes precedence: an egress identity equal to a Service UID is a conflict. */
export function isInboundName(view: EngineView, name: string): boolean {
  const op = view.ops.get(name);
  if (op) return op.kind === 'inbound';
  const svc = view.kubeServices.get(name);
  return svc !== undefined && isOurs(svc.fact);
}

/** Egress identity -> keys of the live pods that register under it. */
export function livePodsByIdentity(view: EngineView): ReadonlyMap<string, PodKeys> {
  return view.kubePodIndex.liveByIdentity;
}

/** Location -> address -> sorted service names. Every known node location is present, maybe empty. */
export type DesiredLocations = Map<string, Map<string, readonly string[]>>;

export function desiredLocations(view: EngineView): DesiredLocations {
  // Built in place: most addresses belong to one service, so a small array per address (kept
  // unique on insert, sorted once at the end) costs far less than a Set plus a sorted copy.
  const out: DesiredLocations = new Map();
  for (const node of view.kubeNodes.values()) {
    for (const family of ['IPv4', 'IPv6'] as const) {
      const loc = locationOf(node.fact.internalIPs, family);
      if (loc !== null && !out.has(loc)) out.set(loc, new Map());
    }
  }
  const locationMap = (location: string): Map<string, readonly string[]> => {
    let loc = out.get(location);
    if (!loc) {
      // A pod's host IP that no node reports (yet): still a valid NRP location.
      loc = new Map();
      out.set(location, loc);
    }
    return loc;
  };
  // Most addresses belong to one service: they share one frozen array per service, and an address
  // gets an array of its own only when a second service joins.
  const singles = new Map<string, readonly string[]>();
  const addTo = (loc: Map<string, readonly string[]>, address: string, service: string): void => {
    const svcs = loc.get(address);
    if (!svcs) {
      let single = singles.get(service);
      if (!single) {
        single = Object.freeze([service]);
        singles.set(service, single);
      }
      loc.set(address, single);
    } else if (!svcs.includes(service)) {
      // Frozen: a shared single; otherwise this address's own array, built here.
      if (Object.isFrozen(svcs)) loc.set(address, [...svcs, service]);
      else (svcs as string[]).push(service);
    }
  };

  const locate = nodeLocator(view.kubeNodes);
  const readyInbound = new Map<string, boolean>();
  for (const cached of view.kubeSlices.values()) {
    const slice = cached.fact;
    const name = linkedService(view, slice);
    if (name === null) continue;
    let ready = readyInbound.get(name);
    if (ready === undefined) {
      ready = isReadyToSync(view, name, 'inbound');
      readyInbound.set(name, ready);
    }
    if (!ready) continue;
    // placeSliceEndpoints without its rejections and intermediate arrays: this loop sees every
    // endpoint address of the cluster on each sync pass.
    const family = familyOfAddressType(slice.addressType);
    if (!family) continue;
    for (const ep of slice.endpoints) {
      if (ep.ready === false || !ep.nodeName) continue;
      const location = locate(ep.nodeName, family);
      if (!location) continue;
      const loc = locationMap(location);
      for (const raw of ep.addresses) {
        const address = canonicalIp(raw, family);
        if (address !== null) addTo(loc, address, name);
      }
    }
  }

  const readyOutbound = new Map<string, boolean>();
  for (const cached of view.kubePods.values()) {
    const identity = liveEgressIdentity(cached);
    if (identity === null || !cached.registered) continue;
    let ready = readyOutbound.get(identity);
    if (ready === undefined) {
      ready = !isInboundName(view, identity) && isReadyToSync(view, identity, 'outbound');
      readyOutbound.set(identity, ready);
    }
    if (!ready) continue;
    for (const p of cached.registered.addresses) addTo(locationMap(p.location), p.address, identity);
  }

  for (const addrs of out.values()) for (const svcs of addrs.values()) if (svcs.length > 1) (svcs as string[]).sort();
  return out;
}
