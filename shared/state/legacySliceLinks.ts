// Slice rows written before slices carried their `kubernetes.io/service-name` label (ADR 0019)
// name only their owner's UID. Read back as they are, they would link nothing and drain every
// endpoint from NRP until the forwarder next relists. Instead such a slice takes the name of its
// owner when (and only when) the owner is a Service of the slice's own namespace: what the
// EndpointSlice controller writes, and never a link across namespaces. Its next change or relist
// replaces the guess with the label.
import type { Cached, EndpointSliceFact, ServiceFact } from '../engine/types.ts';

/** The owner UID of a slice row in the old shape (no `serviceName` field), or null. */
export function legacyOwnerUid(json: string): string | null {
  if (json.includes('"serviceName"')) return null;
  const fact = (JSON.parse(json) as { fact?: { serviceUid?: unknown } }).fact;
  return typeof fact?.serviceUid === 'string' ? fact.serviceUid : null;
}

export function linkLegacySlices(
  slices: Map<string, Cached<EndpointSliceFact>>,
  services: ReadonlyMap<string, Cached<ServiceFact>>,
  owners: ReadonlyMap<string, string>,
): void {
  for (const [key, uid] of owners) {
    const cached = slices.get(key);
    const owner = services.get(uid.toLowerCase())?.fact;
    if (!cached) continue;
    const sameNamespace = owner !== undefined && owner.namespace === cached.fact.namespace;
    slices.set(key, { ...cached, fact: { ...cached.fact, serviceName: sameNamespace ? owner.name : null, ownerServiceUids: [uid] } });
  }
}
