// Micro-benchmark of the pure engine core (npm run bench:engine).
//  a) decide() throughput under churn in a steady-state cluster built by driving decide() itself;
//  b) the locations diff of 100,000 addresses: desiredLocations + diffLocations + toBatches.
// Prints a table and writes bench/results/engine-<timestamp>.json. It measures; it asserts nothing
// about time (a harness that does not reach steady state is an error, a slow run is a figure).
// `npm run bench` reuses measureChurn and measureDiffs (fewer runs with --quick).
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultEngineConfig } from '../shared/engine/config.ts';
import { decide } from '../shared/engine/decide.ts';
import { desiredLocations } from '../shared/engine/desired.ts';
import { countChanges, diffLocations, toBatches } from '../shared/engine/locationsDiff.ts';
import { initialState } from '../shared/engine/state.ts';
import type { ClusterState, EngineEvent, LocationsSync, NrpLocation, ServiceOperation } from '../shared/engine/types.ts';
import type { EngineView } from '../shared/engine/view.ts';
import { SyntheticCluster, contextAt, convergedView, countAddresses, mirrorDifferingByOnePercent, syncedEvents } from './facts.ts';
import type { ClusterShape } from './facts.ts';

const BATCH = 100;
const WINDOW_MS = defaultEngineConfig.locationsSyncIntervalMs;

/** Timed runs after warm-up runs, per measurement. */
export interface EngineBenchRuns {
  readonly churnWarmup: number;
  readonly churnRuns: number;
  readonly diffWarmup: number;
  readonly diffRuns: number;
}

export const DEFAULT_ENGINE_RUNS: EngineBenchRuns = { churnWarmup: 15, churnRuns: 60, diffWarmup: 3, diffRuns: 7 };

// ---------------------------------------------------------------------------------------------
// Statistics

export interface Summary {
  readonly runs: number;
  readonly medianMs: number;
  readonly p95Ms: number;
  readonly minMs: number;
  readonly maxMs: number;
  readonly totalMs: number;
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i] ?? NaN;
}

function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? (sorted[mid] ?? NaN) : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
  return {
    runs: sorted.length,
    medianMs: round(median),
    p95Ms: round(quantile(sorted, 0.95)),
    minMs: round(sorted[0] ?? NaN),
    maxMs: round(sorted[sorted.length - 1] ?? NaN),
    totalMs: round(samples.reduce((a, b) => a + b, 0)),
  };
}

function round(x: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function timed<T>(fn: () => T): { value: T; ms: number } {
  const t0 = performance.now();
  const value = fn();
  return { value, ms: performance.now() - t0 };
}

// ---------------------------------------------------------------------------------------------
// A minimal shell around decide(): Azure always succeeds, completions are sent when asked.

class Driver {
  state: ClusterState;
  now = 1_000_000;
  readonly pendingOps = new Map<string, ServiceOperation>();
  pendingSync: LocationsSync | null = null;
  /** The engine asked to read NRP (it does before its first sync). */
  readRequested = false;
  wakeAt: number | null = null;
  syncsDispatched = 0;

  constructor(cluster: string) {
    this.state = initialState(cluster);
  }

  send(events: readonly EngineEvent[]): void {
    const d = decide(this.state, events, contextAt(this.now));
    this.state = d.state;
    this.wakeAt = null;
    for (const c of d.commands) {
      if (c.kind === 'DispatchServiceOperation') this.pendingOps.set(c.operation.dispatchId, c.operation);
      else if (c.kind === 'SyncLocations') {
        if (this.pendingSync) throw new Error(`sync ${c.sync.syncId} dispatched while ${this.pendingSync.syncId} is in flight`);
        this.pendingSync = c.sync;
        this.syncsDispatched++;
      } else if (c.kind === 'WakeAt') this.wakeAt = c.at;
      else if (c.kind === 'ObserveNrp') this.readRequested = true;
    }
  }

  /** Azure always did what it was told here, so a read of NRP finds exactly the mirror. */
  observedEvent(): EngineEvent {
    this.readRequested = false;
    const nrp = this.state.nrp;
    return {
      kind: 'NrpObserved',
      nrpEpoch: this.state.nrpEpoch,
      services: [...nrp.services].map(([name, type]) => ({ name, type })),
      locations: [...nrp.locations].map(([location, l]) => ({ location, addresses: [...l.addresses].map(([address, services]) => ({ address, services })) })),
    };
  }

  completeOpsEvents(): EngineEvent[] {
    const events: EngineEvent[] = [];
    for (const op of this.pendingOps.values()) {
      events.push({
        kind: 'ServiceOperationCompleted',
        serviceName: op.serviceName,
        dispatchId: op.dispatchId,
        outcome: { result: 'success', publicIp: op.serviceKind === 'inbound' ? '20.1.2.3' : null },
      });
    }
    this.pendingOps.clear();
    return events;
  }

  completeSyncEvent(): EngineEvent {
    const sync = this.pendingSync;
    if (!sync) throw new Error('no sync in flight');
    this.pendingSync = null;
    return { kind: 'LocationsSyncCompleted', syncId: sync.syncId, applied: sync.requests.length, failure: null };
  }

  /** Complete everything and let time pass until nothing is pending. */
  settle(maxSteps = 10_000): void {
    for (let i = 0; i < maxSteps; i++) {
      if (this.pendingOps.size > 0) this.send(this.completeOpsEvents());
      else if (this.pendingSync) this.send([this.completeSyncEvent()]);
      else if (this.readRequested) this.send([this.observedEvent()]);
      else if (this.wakeAt !== null && this.wakeAt < this.now + defaultEngineConfig.operationTimeoutMs) {
        this.now = Math.max(this.now, this.wakeAt);
        this.send([{ kind: 'Tick' }]);
      } else return;
    }
    throw new Error('the engine did not settle');
  }

  /** When the next sync may start (the sync window after the last start). */
  windowOpensAt(): number {
    return (this.state.sync.lastStartedAt ?? 0) + WINDOW_MS;
  }
}

function mirroredAddresses(state: ClusterState): number {
  let n = 0;
  for (const loc of state.nrp.locations.values()) n += loc.addresses.size;
  return n;
}

// ---------------------------------------------------------------------------------------------
// a) decide() under churn

export const CHURN_SHAPE: ClusterShape = { nodes: 100, services: 1_000, endpointsPerService: 20, identities: 50, podsPerIdentity: 100 };

export interface ChurnRow {
  readonly scenario: string;
  readonly eventsPerDecide: number;
  readonly eventsPerSecond: number;
  readonly perDecide: Summary;
}

function churnRow(scenario: string, eventsPerDecide: number, samples: readonly number[]): ChurnRow {
  const s = summarize(samples);
  return { scenario, eventsPerDecide, eventsPerSecond: Math.round((eventsPerDecide * samples.length * 1000) / s.totalMs), perDecide: s };
}

function buildSteadyState(): { driver: Driver; cluster: SyntheticCluster; setupMs: number; setupDecides: number } {
  const t0 = performance.now();
  const cluster = new SyntheticCluster(CHURN_SHAPE, 42);
  const driver = new Driver('bench');
  let decides = 0;
  const send = (events: EngineEvent[]): void => {
    driver.send(events);
    decides++;
  };
  send(syncedEvents());
  send(cluster.nodeEvents());
  send([...cluster.serviceEvents(), ...cluster.sliceEvents(), ...cluster.podEvents()]);
  // Creates run ten at a time (maxConcurrentOperations): complete each wave as it is dispatched.
  while (driver.pendingOps.size > 0) send(driver.completeOpsEvents());
  driver.now = driver.windowOpensAt();
  send([{ kind: 'Tick' }]);
  driver.settle();
  const setupMs = performance.now() - t0;

  const ops = [...driver.state.ops.values()];
  const created = ops.filter((o) => o.state === 'Created').length;
  const expectedOps = CHURN_SHAPE.services + CHURN_SHAPE.identities;
  const expectedAddresses = CHURN_SHAPE.services * CHURN_SHAPE.endpointsPerService + CHURN_SHAPE.identities * CHURN_SHAPE.podsPerIdentity;
  const mirrored = mirroredAddresses(driver.state);
  if (created !== expectedOps || mirrored !== expectedAddresses || driver.pendingSync || driver.state.sync.dirty) {
    throw new Error(`no steady state: ${created}/${expectedOps} ops Created, ${mirrored}/${expectedAddresses} addresses mirrored`);
  }
  return { driver, cluster, setupMs, setupDecides: decides };
}

export function measureChurn(runs: EngineBenchRuns = DEFAULT_ENGINE_RUNS): { rows: ChurnRow[]; setupMs: number; setupDecides: number } {
  const { driver, cluster, setupMs, setupDecides } = buildSteadyState();
  const rows: ChurnRow[] = [];
  const WARMUP = runs.churnWarmup;
  const RUNS = runs.churnRuns;

  // 1. A sync in flight: events are cached and reconciled, the diff waits for the completion.
  driver.now = driver.windowOpensAt();
  driver.send(cluster.churn(BATCH));
  if (!driver.pendingSync) throw new Error('expected a sync in flight');
  const inFlight: number[] = [];
  for (let i = 0; i < WARMUP + RUNS; i++) {
    driver.now += 1;
    const events = cluster.churn(BATCH);
    const { ms } = timed(() => driver.send(events));
    if (i >= WARMUP) inFlight.push(ms);
  }
  rows.push(churnRow('sync in flight', BATCH, inFlight));

  // 2. The same, one event per decide(): the fixed cost of a call, by kind of event.
  const singleSlice: number[] = [];
  const singlePod: number[] = [];
  for (let i = 0; i < WARMUP * 10 + RUNS * 10; i++) {
    driver.now += 1;
    const events = cluster.churn(1);
    const { ms } = timed(() => driver.send(events));
    if (i < WARMUP * 10) continue;
    if (events[0]?.kind === 'PodUpserted') singlePod.push(ms);
    else singleSlice.push(ms);
  }
  rows.push(churnRow('sync in flight, 1 EndpointSlice event per decide', 1, singleSlice));
  rows.push(churnRow('sync in flight, 1 Pod event per decide', 1, singlePod));

  // 3. Completing a sync: mirror the acknowledged requests, drain checks, pod finalizer checks.
  driver.now += 1;
  const completion = timed(() => driver.send([driver.completeSyncEvent()]));
  if (driver.pendingSync) throw new Error('a sync started inside the window');

  // 4. No sync in flight, inside the sync window: changes are coalesced until the window opens.
  const coalesced: number[] = [];
  for (let i = 0; i < WARMUP + RUNS; i++) {
    driver.now += 1;
    const events = cluster.churn(BATCH);
    const { ms } = timed(() => driver.send(events));
    if (driver.pendingSync) throw new Error('a sync started inside the window');
    if (i >= WARMUP) coalesced.push(ms);
  }
  rows.push(churnRow('no sync in flight, window closed', BATCH, coalesced));

  // 5. No sync in flight, window open: every batch recomputes desired state, diffs and starts a sync.
  const open: number[] = [];
  const completions: number[] = [completion.ms];
  for (let i = 0; i < WARMUP + RUNS; i++) {
    driver.now = driver.windowOpensAt();
    const events = cluster.churn(BATCH);
    const { ms } = timed(() => driver.send(events));
    if (!driver.pendingSync) throw new Error('expected the batch to start a sync');
    if (i >= WARMUP) open.push(ms);
    driver.now += 1;
    const done = driver.completeSyncEvent();
    const c = timed(() => driver.send([done]));
    if (i >= WARMUP) completions.push(c.ms);
  }
  rows.push(churnRow('no sync in flight, window open (starts a sync)', BATCH, open));
  rows.push(churnRow('sync completion (LocationsSyncCompleted)', 1, completions));
  return { rows, setupMs: round(setupMs, 1), setupDecides };
}

// ---------------------------------------------------------------------------------------------
// b) diffing 100,000 addresses

export const DIFF_SHAPE: ClusterShape = { nodes: 1_000, services: 4_000, endpointsPerService: 20, identities: 100, podsPerIdentity: 200 };

export interface DiffRow {
  readonly mirror: string;
  readonly addresses: number;
  readonly locations: number;
  readonly differingAddresses: number;
  readonly updatedAddresses: number;
  readonly requests: number;
  readonly totalMs: Summary;
  readonly desiredMs: Summary;
  readonly diffMs: Summary;
  readonly batchesMs: Summary;
  /** countChanges runs in the same sync pass (for the dispatch observation); reported apart. */
  readonly countChangesMs: Summary;
}

interface DiffCase {
  readonly name: string;
  readonly mirror: ReadonlyMap<string, NrpLocation>;
  readonly differing: number;
  readonly total: number[];
  readonly desired: number[];
  readonly diff: number[];
  readonly batches: number[];
  readonly count: number[];
  last: { addresses: number; locations: number; updated: number; requests: number };
}

/** One timed pass of the sync's diff for a case: desired state, diff, requests (and the count). */
function runDiff(view: EngineView, c: DiffCase, record: boolean): void {
  const d = timed(() => desiredLocations(view));
  const u = timed(() => diffLocations(d.value, c.mirror));
  const b = timed(() => toBatches(u.value, defaultEngineConfig.maxAddressesPerRequest));
  const n = timed(() => countChanges(u.value, c.mirror));
  if (!record) return;
  c.desired.push(d.ms);
  c.diff.push(u.ms);
  c.batches.push(b.ms);
  c.count.push(n.ms);
  c.total.push(d.ms + u.ms + b.ms);
  c.last = {
    addresses: countAddresses(d.value),
    locations: d.value.size,
    updated: u.value.reduce((k, x) => k + x.addresses.length, 0),
    requests: b.value.length,
  };
}

export function measureDiffs(runs: EngineBenchRuns = DEFAULT_ENGINE_RUNS): DiffRow[] {
  const WARMUP = runs.diffWarmup;
  const RUNS = runs.diffRuns;
  const view = convergedView(DIFF_SHAPE);
  const desired = desiredLocations(view);
  const n = countAddresses(desired);
  if (n !== 100_000 || desired.size !== DIFF_SHAPE.nodes) throw new Error(`expected 100,000 addresses over 1,000 locations, got ${n} over ${desired.size}`);
  const { mirror, differing } = mirrorDifferingByOnePercent(desired);
  const make = (name: string, m: ReadonlyMap<string, NrpLocation>, diff: number): DiffCase => ({
    name,
    mirror: m,
    differing: diff,
    total: [],
    desired: [],
    diff: [],
    batches: [],
    count: [],
    last: { addresses: 0, locations: 0, updated: 0, requests: 0 },
  });
  const cases = [make('empty', new Map(), n), make('1 % different', mirror, differing)];
  // Interleaved, alternating which goes first, so that both see the same heap and GC conditions.
  for (let i = 0; i < WARMUP + RUNS; i++) {
    for (const c of i % 2 === 0 ? cases : [...cases].reverse()) runDiff(view, c, i >= WARMUP);
  }
  return cases.map((c): DiffRow => ({
    mirror: c.name,
    addresses: c.last.addresses,
    locations: c.last.locations,
    differingAddresses: c.differing,
    updatedAddresses: c.last.updated,
    requests: c.last.requests,
    totalMs: summarize(c.total),
    desiredMs: summarize(c.desired),
    diffMs: summarize(c.diff),
    batchesMs: summarize(c.batches),
    countChangesMs: summarize(c.count),
  }));
}

// ---------------------------------------------------------------------------------------------
// Report

function pad(s: string | number, n: number, right = false): string {
  const t = String(s);
  return right ? t.padEnd(n) : t.padStart(n);
}

function main(): void {
  const started = new Date();
  const loadAtStart = loadavg().map((x) => round(x, 2));
  const t0 = performance.now();
  // The diff first, on a fresh heap, as a function invocation would see it; then the churn.
  const diffs = measureDiffs();
  const churn = measureChurn();
  const elapsedS = round((performance.now() - t0) / 1000, 1);

  const lines: string[] = [];
  lines.push(`decide() churn: ${CHURN_SHAPE.services} LoadBalancer Services x ${CHURN_SHAPE.endpointsPerService} endpoints over ${CHURN_SHAPE.nodes} nodes, ${CHURN_SHAPE.identities} egress identities x ${CHURN_SHAPE.podsPerIdentity} pods`);
  lines.push(`  steady state built by decide() in ${churn.setupMs} ms (${churn.setupDecides} calls); batches of ${BATCH}: half endpoint moves, half egress pod moves`);
  lines.push(`  ${pad('scenario', 50, true)} ${pad('ev/decide', 9)} ${pad('events/s', 10)} ${pad('median ms', 10)} ${pad('p95 ms', 9)} ${pad('runs', 5)}`);
  for (const r of churn.rows) {
    lines.push(`  ${pad(r.scenario, 50, true)} ${pad(r.eventsPerDecide, 9)} ${pad(r.eventsPerSecond, 10)} ${pad(r.perDecide.medianMs.toFixed(2), 10)} ${pad(r.perDecide.p95Ms.toFixed(2), 9)} ${pad(r.perDecide.runs, 5)}`);
  }
  lines.push('');
  lines.push(`locations diff: desiredLocations + diffLocations + toBatches (median of ${DEFAULT_ENGINE_RUNS.diffRuns} runs, ms)`);
  lines.push(`  ${pad('mirror', 16, true)} ${pad('addresses', 9)} ${pad('locs', 5)} ${pad('changed', 8)} ${pad('requests', 8)} ${pad('total', 8)} ${pad('desired', 8)} ${pad('diff', 8)} ${pad('batches', 8)} ${pad('(count)', 8)}`);
  for (const r of diffs) {
    lines.push(
      `  ${pad(r.mirror, 16, true)} ${pad(r.addresses, 9)} ${pad(r.locations, 5)} ${pad(r.updatedAddresses, 8)} ${pad(r.requests, 8)} ${pad(r.totalMs.medianMs.toFixed(1), 8)} ${pad(r.desiredMs.medianMs.toFixed(1), 8)} ${pad(r.diffMs.medianMs.toFixed(1), 8)} ${pad(r.batchesMs.medianMs.toFixed(1), 8)} ${pad(r.countChangesMs.medianMs.toFixed(1), 8)}`,
    );
  }

  const here = dirname(fileURLToPath(import.meta.url));
  const dir = join(here, 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `engine-${started.toISOString().replace(/[:.]/g, '-')}.json`);
  const result = {
    benchmark: 'engine',
    startedAt: started.toISOString(),
    elapsedS,
    environment: {
      node: process.version,
      platform: `${process.platform}/${process.arch}`,
      cpu: cpus()[0]?.model ?? 'unknown',
      cpus: cpus().length,
      // Other work on the machine inflates wall-clock figures: compare runs at similar load.
      loadAverageAtStart: loadAtStart,
      loadAverageAtEnd: loadavg().map((x) => round(x, 2)),
    },
    decide: { shape: CHURN_SHAPE, batch: BATCH, setupMs: churn.setupMs, setupDecides: churn.setupDecides, rows: churn.rows },
    locationsDiff: { shape: DIFF_SHAPE, maxAddressesPerRequest: defaultEngineConfig.maxAddressesPerRequest, rows: diffs },
  };
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  lines.push('');
  lines.push(`total ${elapsedS} s, load average ${loadAtStart.join(' ')} at start; results: ${relative(process.cwd(), file)}`);
  console.log(lines.join('\n'));
}

// Run as a script (npm run bench:engine); imported by bench/run.ts for its figures only.
if (process.argv[1] === fileURLToPath(import.meta.url)) main();
