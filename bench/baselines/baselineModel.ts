// The baselines of issue 8, computed from the very change stream this project was measured on:
// what a controller of each shape would send NRP for it and when each change would be reflected,
// under the same NRP latency and NRP's own write limit (docs/adr/0009-benchmark-baselines.md).
//  - naive: one updateAddressLocations per Kubernetes change, in arrival order;
//  - upstream-shaped: the reference engine's LocationsUpdater: every trigger sends the whole
//    pending diff as one unchunked updateAddressLocations, at once, no pacing; triggers that
//    arrive while a call is out coalesce into the next call.
// Both create Services as the reference does (up to 10 at a time: public IP, load balancer, then
// updateServices), and both see each change the instant it is made (no propagation delay).
import type { ChangeKind } from '../workload/plannedChange.ts';
import { MinHeap } from './minHeap.ts';
import { NrpWriteLimit } from './nrpWriteLimit.ts';

export type BaselineName = 'naive' | 'upstreamShaped';

export interface ModelChange {
  readonly atMs: number;
  readonly kind: ChangeKind;
  /** For serviceCreated, the Service; for endpointSliceCreated, the Service it waits for. */
  readonly service?: string | undefined;
}

export interface ModelParameters {
  readonly writeMs: number;
  readonly lbCreateMs: number;
  /** NRP's write limit: `writes` per `perMs`, starting full. */
  readonly limit: { readonly writes: number; readonly perMs: number };
  /** Service operations in parallel (the reference's semaphore). */
  readonly serviceConcurrency: number;
}

export interface BaselineOutcome {
  readonly writes: Readonly<Record<string, number>>;
  /** Writes NRP first answered 429 (each then goes again after Retry-After; `writes` counts it once). */
  readonly throttled: number;
  /** Per change, in input order: ms from the change to NRP reflecting it. */
  readonly latenciesMs: readonly number[];
  /** When the last change was reflected, ms from the start. */
  readonly convergedMs: number;
}

type Event =
  | { readonly kind: 'arrive'; readonly change: number }
  | { readonly kind: 'locationsDone'; readonly changes: readonly number[] }
  | { readonly kind: 'serviceStep'; readonly change: number; readonly step: number };

const SERVICE_STEPS = ['publicIPAddresses.createOrUpdate', 'loadBalancers.createOrUpdate', 'updateServices'] as const;

class Model {
  private readonly name: BaselineName;
  private readonly p: ModelParameters;
  private readonly changes: readonly ModelChange[];
  private readonly events = new MinHeap<Event>();
  private readonly limit: NrpWriteLimit;
  private readonly writes = new Map<string, number>();
  private readonly resolvedAt: number[];
  private readonly registered = new Set<string>();
  /** Changes waiting for their Service to be registered, by Service. */
  private readonly parked = new Map<string, number[]>();
  /** Location changes ready to be sent, in arrival order. */
  private ready: number[] = [];
  private locationsBusy = false;
  private servicesRunning = 0;
  private readonly serviceQueue: number[] = [];

  constructor(name: BaselineName, changes: readonly ModelChange[], p: ModelParameters) {
    this.name = name;
    this.p = p;
    this.changes = changes;
    this.limit = new NrpWriteLimit(p.limit.writes, p.limit.perMs);
    this.resolvedAt = changes.map(() => NaN);
  }

  run(): BaselineOutcome {
    this.changes.forEach((c, i) => this.events.push(c.atMs, { kind: 'arrive', change: i }));
    for (let e = this.events.pop(); e; e = this.events.pop()) this.handle(e.key, e.value);
    const latenciesMs = this.changes.map((c, i) => (this.resolvedAt[i] ?? NaN) - c.atMs);
    if (latenciesMs.some((l) => !Number.isFinite(l))) throw new Error(`${this.name}: a change was never reflected`);
    return {
      writes: Object.fromEntries(this.writes),
      throttled: this.limit.throttled,
      latenciesMs,
      convergedMs: Math.max(0, ...this.resolvedAt),
    };
  }

  /** One NRP write of `operation` attempted at `t`: when it completes. */
  private write(operation: string, t: number, durationMs: number): number {
    this.writes.set(operation, (this.writes.get(operation) ?? 0) + 1);
    return this.limit.admit(t) + durationMs;
  }

  private handle(now: number, e: Event): void {
    switch (e.kind) {
      case 'arrive': {
        const c = this.changes[e.change];
        if (c?.kind === 'serviceCreated') {
          this.serviceQueue.push(e.change);
          this.startServices(now);
        } else if (c?.kind === 'endpointSliceCreated' && c.service !== undefined && !this.registered.has(c.service)) {
          this.parked.set(c.service, [...(this.parked.get(c.service) ?? []), e.change]);
        } else {
          this.ready.push(e.change);
          this.sendLocations(now);
        }
        return;
      }
      case 'locationsDone':
        for (const i of e.changes) this.resolvedAt[i] = now;
        this.locationsBusy = false;
        this.sendLocations(now);
        return;
      case 'serviceStep': {
        if (e.step < SERVICE_STEPS.length - 1) {
          this.serviceStep(now, e.change, e.step + 1);
          return;
        }
        this.resolvedAt[e.change] = now;
        const service = this.changes[e.change]?.service;
        if (service !== undefined) {
          this.registered.add(service);
          this.ready.push(...(this.parked.get(service) ?? []));
          this.parked.delete(service);
        }
        this.servicesRunning -= 1;
        this.startServices(now);
        this.sendLocations(now);
        return;
      }
    }
  }

  private startServices(now: number): void {
    while (this.servicesRunning < this.p.serviceConcurrency && this.serviceQueue.length > 0) {
      const i = this.serviceQueue.shift();
      if (i === undefined) return;
      this.servicesRunning += 1;
      this.serviceStep(now, i, 0);
    }
  }

  private serviceStep(now: number, change: number, step: number): void {
    const operation = SERVICE_STEPS[step] ?? 'updateServices';
    const duration = operation === 'loadBalancers.createOrUpdate' ? this.p.lbCreateMs : this.p.writeMs;
    this.events.push(this.write(operation, now, duration), { kind: 'serviceStep', change, step });
  }

  /** One updateAddressLocations at a time: the Service Gateway is one ARM resource, and NRP
   * refuses a second write to it while one runs (429 RetryableErrorDueToAnotherOperation). */
  private sendLocations(now: number): void {
    if (this.locationsBusy || this.ready.length === 0) return;
    // naive: the oldest change alone; upstream-shaped: everything pending, in one request.
    const batch = this.name === 'naive' ? this.ready.splice(0, 1) : this.ready.splice(0);
    this.locationsBusy = true;
    this.events.push(this.write('updateAddressLocations', now, this.p.writeMs), { kind: 'locationsDone', changes: batch });
  }
}

export function modelBaseline(name: BaselineName, changes: readonly ModelChange[], p: ModelParameters): BaselineOutcome {
  return new Model(name, changes, p).run();
}
