// Gauges of a cluster's engine state, read off the state the engine committed last. An instance
// only knows the clusters whose sessions it served, so every gauge carries `cluster`, and a cluster
// not committed here for `staleAfterMs` is no longer reported: its session has likely moved to
// another instance, whose numbers are the current ones.
import type { Meter } from '@opentelemetry/api';
import { servicesReferencedBy } from '../engine/locationsDiff.ts';
import type { ClusterState, OpState } from '../engine/types.ts';
import { OP_STATES } from '../engine/types.ts';
import { gaugeOf } from './instruments.ts';

export interface StateGaugeValues {
  readonly opsByState: Readonly<Record<OpState, number>>;
  /** Per state, when its oldest operation started (epoch ms); absent when none can be dated. */
  readonly oldestSince: Readonly<Partial<Record<OpState, number>>>;
  readonly blockedByLocations: number;
  readonly locations: number;
  readonly addresses: number;
}

/**
 * What the gauges report for one state. An operation is dated from its dispatch while one is in
 * flight, or from the creation of its record while nothing was ever dispatched; any other wait
 * (a backoff, a park, a drain) has no start time in the state and is left out of the age.
 */
export function gaugeValuesOf(state: ClusterState): StateGaugeValues {
  const opsByState = Object.fromEntries(OP_STATES.map((s) => [s, 0])) as Record<OpState, number>;
  const oldestSince: Partial<Record<OpState, number>> = {};
  let draining = 0;
  for (const op of state.ops.values()) {
    opsByState[op.state] += 1;
    if (op.state === 'DeletionPending') draining += 1;
    if (op.state === 'Created') continue;
    const since = op.inFlight?.startedAt ?? (op.dispatches === 0 ? op.createdAt : null);
    if (since !== null) oldestSince[op.state] = Math.min(oldestSince[op.state] ?? since, since);
  }
  let addresses = 0;
  for (const l of state.nrp.locations.values()) addresses += l.addresses.size;
  return { opsByState, oldestSince, blockedByLocations: draining === 0 ? 0 : blockedByLocations(state), locations: state.nrp.locations.size, addresses };
}

/** Services waiting to be deleted that an address in the mirror, or in the sync in flight, still references. */
function blockedByLocations(state: ClusterState): number {
  const referenced = state.sync.inFlight ? servicesReferencedBy(state.sync.inFlight.requests) : new Set<string>();
  for (const l of state.nrp.locations.values()) for (const services of l.addresses.values()) for (const s of services) referenced.add(s);
  let n = 0;
  for (const op of state.ops.values()) if (op.state === 'DeletionPending' && referenced.has(op.name)) n += 1;
  return n;
}

export interface StateGaugesOptions {
  readonly now?: (() => number) | undefined;
  /** Default 15 minutes: longer than the engine's wake-ups while anything is pending. */
  readonly staleAfterMs?: number | undefined;
}

export class StateGauges {
  private readonly latest = new Map<string, { readonly values: StateGaugeValues; readonly at: number }>();
  private readonly now: () => number;
  private readonly staleAfterMs: number;

  constructor(meter: Meter, options: StateGaugesOptions = {}) {
    this.now = options.now ?? Date.now;
    this.staleAfterMs = options.staleAfterMs ?? 15 * 60_000;
    gaugeOf(meter, 'engine_pending_service_operations', (emit) => {
      for (const [cluster, v] of this.current()) for (const state of OP_STATES) emit(v.opsByState[state], { cluster, state });
    });
    gaugeOf(meter, 'engine_pending_operation_oldest_age_seconds', (emit) => {
      const now = this.now();
      for (const [cluster, v] of this.current()) {
        for (const state of OP_STATES) {
          const since = v.oldestSince[state];
          if (since !== undefined) emit(Math.max(0, now - since) / 1000, { cluster, state });
        }
      }
    });
    gaugeOf(meter, 'engine_services_blocked_by_locations', (emit) => {
      for (const [cluster, v] of this.current()) emit(v.blockedByLocations, { cluster });
    });
    gaugeOf(meter, 'engine_locations_total', (emit) => {
      for (const [cluster, v] of this.current()) emit(v.locations, { cluster });
    });
    gaugeOf(meter, 'engine_addresses_total', (emit) => {
      for (const [cluster, v] of this.current()) emit(v.addresses, { cluster });
    });
  }

  /** The state a commit of `cluster` just made durable. */
  update(cluster: string, state: ClusterState): void {
    this.latest.set(cluster, { values: gaugeValuesOf(state), at: this.now() });
  }

  private current(): [string, StateGaugeValues][] {
    const now = this.now();
    const out: [string, StateGaugeValues][] = [];
    for (const [cluster, entry] of this.latest) {
      if (now - entry.at > this.staleAfterMs) this.latest.delete(cluster);
      else out.push([cluster, entry.values]);
    }
    return out;
  }
}
