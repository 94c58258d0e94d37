// The IP families of an egress identity's NAT gateway come from the cluster's nodes (docs/adr/0016):
// IPv4 always, IPv6 once any node has an IPv6 InternalIP. They are known only once the Node list
// was synced, and they only grow: an IPv6 public IP removed from a live gateway breaks its egress.
import { locationOf } from './ip.ts';
import type { Draft } from './draft.ts';
import type { IpFamily, OutboundConfig } from './types.ts';
import type { EngineView } from './view.ts';

const ORDER: readonly IpFamily[] = ['IPv4', 'IPv6'];

export function anyNodeHasIPv6(view: EngineView): boolean {
  for (const n of view.kubeNodes.values()) if (locationOf(n.fact.internalIPs, 'IPv6') !== null) return true;
  return false;
}

/** Before the Node list, an IPv4-only answer may just mean "no node seen yet". */
export function clusterFamilies(view: EngineView): readonly IpFamily[] {
  return anyNodeHasIPv6(view) ? ORDER : ['IPv4'];
}

/**
 * No identity is created before the Node list was synced and NRP was read once: the first would
 * fix its families on whichever nodes had arrived, the second whether NRP already holds it.
 */
export function egressFamiliesKnown(d: Draft): boolean {
  return d.kubeSynced.has('Node') && d.sync.nrpRead.state !== 'unread';
}

export function outboundConfigFor(view: EngineView, identity: string): OutboundConfig {
  return { kind: 'outbound', name: identity, ipFamilies: clusterFamilies(view) };
}

/** The config with the cluster's families added to its own; the same object when none is missing. */
export function withClusterFamilies(view: EngineView, config: OutboundConfig): OutboundConfig {
  const wanted = clusterFamilies(view);
  if (wanted.every((f) => config.ipFamilies.includes(f))) return config;
  return { ...config, ipFamilies: ORDER.filter((f) => config.ipFamilies.includes(f) || wanted.includes(f)) };
}

/** A node with an IPv6 InternalIP may have grown the families: every outbound op is re-examined. */
export function touchOutboundIfFamiliesGrew(d: Draft, internalIPs: readonly string[]): void {
  if (locationOf(internalIPs, 'IPv6') === null) return;
  for (const op of d.ops.values()) {
    const config = op.config ?? op.lastApplied;
    if (op.kind === 'outbound' && config?.kind === 'outbound' && !config.ipFamilies.includes('IPv6')) d.touchedNames.add(op.name);
  }
}

/** Touch every identity a live pod registers under: the gate above just opened. */
export function touchEgressIdentities(d: Draft): void {
  for (const pod of d.kubePods.values()) if (pod.registered) d.touchedNames.add(pod.registered.identity);
}
