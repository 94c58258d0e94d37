// Services by namespace/name, the way an EndpointSlice names its Service (ADR 0019). Services are
// keyed by UID, so a Service deleted and re-created under the same name is a new key: slices follow
// the name, and the old UID loses them. Built once per services map (maps are never changed once
// a decision returns them) and kept up to date by the Draft, so no event scans every Service.
import { derivedIndex } from './derivedIndex.ts';
import { compareResourceVersions } from './resourceVersion.ts';
import type { Cached, ServiceFact } from './types.ts';

/** `namespace/name` -> keys (lower-cased UIDs) of the cached Services of that name: one, but for a
 * moment two when a re-created Service arrives before the old one's deletion. */
export type ServiceNames = ReadonlyMap<string, readonly string[]>;

type Services = ReadonlyMap<string, Cached<ServiceFact>>;

function nameKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

const serviceNameIndexes = derivedIndex((services: Services): ServiceNames => {
  const out = new Map<string, string[]>();
  for (const [key, cached] of services) addName(out, key, cached.fact);
  return out;
});

export function serviceNamesOf(services: Services): ServiceNames {
  return serviceNameIndexes.of(services);
}

/** Records `names` as the index of `services` (a Draft's, as it returns them). */
export function rememberServiceNames(services: Services, names: ServiceNames): void {
  serviceNameIndexes.remember(services, names);
}

export function addName(names: Map<string, readonly string[]>, key: string, fact: ServiceFact): void {
  const k = nameKey(fact.namespace, fact.name);
  const keys = names.get(k) ?? [];
  if (!keys.includes(key)) names.set(k, [...keys, key]);
}

export function removeName(names: Map<string, readonly string[]>, key: string, fact: ServiceFact): void {
  const k = nameKey(fact.namespace, fact.name);
  const keys = (names.get(k) ?? []).filter((x) => x !== key);
  if (keys.length === 0) names.delete(k);
  else names.set(k, keys);
}

/** The key of the Service `namespace/name`: of two, the newer (the re-created one). */
export function serviceKeyNamed(names: ServiceNames, services: Services, namespace: string, name: string): string | null {
  const keys = names.get(nameKey(namespace, name));
  if (!keys || keys.length === 0) return null;
  let best: string | null = null;
  for (const key of keys) {
    if (best === null) best = key;
    else if (newer(services.get(key)?.fact, services.get(best)?.fact, key, best)) best = key;
  }
  return best;
}

function newer(a: ServiceFact | undefined, b: ServiceFact | undefined, ka: string, kb: string): boolean {
  if (!a || !b) return a !== undefined;
  const c = compareResourceVersions(a.resourceVersion, b.resourceVersion);
  return c === null || c === 0 ? ka > kb : c === 1;
}
