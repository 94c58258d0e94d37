// The benchmark's workloads (issue 8), full size and scaled down for --quick. Everything else is
// generated from these numbers and a seed.

export interface ClusterShape {
  readonly nodes: number;
  readonly services: number;
  readonly endpointsPerService: number;
  readonly identities: number;
  readonly podsPerIdentity: number;
}

export interface WorkloadShapes {
  /** The cluster the steady state holds. */
  readonly cluster: ClusterShape;
  /** Rolling updates: each replaced pod is two changes (not ready or deleted, then its replacement). */
  readonly churn: { readonly seconds: number; readonly changesPerSecond: number; readonly replacementAfterMs: number };
  /** Nodes drain at once until this many changes are planned; every pod on them moves. */
  readonly burst: { readonly changes: number };
  /** LoadBalancer Services (each with an EndpointSlice) created within `withinMs`. */
  readonly wave: { readonly services: number; readonly endpointsPerService: number; readonly withinMs: number };
}

export const FULL: WorkloadShapes = {
  cluster: { nodes: 100, services: 1_000, endpointsPerService: 20, identities: 50, podsPerIdentity: 100 },
  churn: { seconds: 30, changesPerSecond: 50, replacementAfterMs: 1_000 },
  burst: { changes: 10_000 },
  wave: { services: 200, endpointsPerService: 20, withinMs: 1_000 },
};

/** The same code paths on a cluster small enough to run in CI in well under two minutes. */
export const QUICK: WorkloadShapes = {
  cluster: { nodes: 10, services: 10, endpointsPerService: 4, identities: 3, podsPerIdentity: 8 },
  churn: { seconds: 6, changesPerSecond: 10, replacementAfterMs: 1_000 },
  burst: { changes: 40 },
  wave: { services: 6, endpointsPerService: 4, withinMs: 1_000 },
};

/** The cluster sizes of `npm run bench -- --scale`, as multiples of the shape's own cluster. */
export const SCALE_FACTORS = [1, 2, 4] as const;

/**
 * The same workloads on a cluster `factor` times as large: Services, egress identities and nodes
 * grow, endpoints per Service and pods per identity do not (so addresses grow with them), and the
 * churn keeps its rate, so each size sees the same changes per second.
 */
export function scaledShapes(shapes: WorkloadShapes, factor: number): WorkloadShapes {
  const c = shapes.cluster;
  return {
    ...shapes,
    cluster: { ...c, nodes: c.nodes * factor, services: c.services * factor, identities: c.identities * factor },
  };
}

/** Addresses the steady state registers in NRP: every endpoint and every egress pod. */
export function addressesOf(c: ClusterShape): number {
  return c.services * c.endpointsPerService + c.identities * c.podsPerIdentity;
}
