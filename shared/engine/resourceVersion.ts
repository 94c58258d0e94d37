/**
 * Order of two resourceVersions. Kubernetes calls them opaque, but every apiserver backed by etcd
 * hands out one increasing integer, so numeric strings are compared as numbers; anything else can
 * only be told equal or not (then the newer event is assumed to be the later one).
 */
export function compareResourceVersions(a: string, b: string): -1 | 0 | 1 | null {
  if (a === b) return 0;
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) {
    const x = BigInt(a);
    const y = BigInt(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return null;
}
