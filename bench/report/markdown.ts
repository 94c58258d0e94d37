// The Markdown tables of a run, for docs/benchmarks.md (and printed at the end of `npm run bench`).
import { WRITE_OPERATIONS } from '../../local/sim/nrp/server.ts';
import { PRICES } from '../cost.ts';
import type { WorkloadName } from '../runBench.ts';
import type { BenchResult } from './benchResult.ts';
import { issueTargetRows } from './issueTargets.ts';
import { runHeaderLines } from './runHeader.ts';

const WORKLOADS: readonly WorkloadName[] = ['steady', 'burst', 'wave'];
const TITLES: Readonly<Record<WorkloadName, string>> = { steady: 'steady churn', burst: 'burst', wave: 'creation wave' };

const n = (x: number, digits = 0): string => x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const s = (ms: number): string => n(ms / 1_000, 1);
const row = (cells: readonly (string | number)[]): string => `| ${cells.join(' | ')} |`;
const yes = (met: boolean): string => (met ? 'met' : '**not met**');

export function markdownOf(r: BenchResult): string {
  const f = r.figures;
  const w = f.workloads;
  const out: string[] = [];
  out.push(...runHeaderLines(r));
  out.push('');
  out.push('**Per workload** (this project / naive / upstream-shaped; the baselines are modelled on the same change stream, see below)');
  out.push('');
  out.push(row(['workload', 'changes', 'NRP writes per 1,000 changes', 'NRP 429s', 'p50 ms', 'p95 ms', 'p99 ms', 'full convergence s']));
  out.push(row(['---', '---:', '---:', '---:', '---:', '---:', '---:', '---:']));
  for (const k of WORKLOADS) {
    const x = w[k];
    const b = x.baselines;
    const per = (t: Readonly<Record<string, number>>): string => n(t['total'] ?? 0);
    out.push(row([
      TITLES[k],
      n(x.changes),
      `${per(x.nrpWrites.per1000Changes)} / ${per(b.naive.nrpWrites.per1000Changes)} / ${per(b.upstreamShaped.nrpWrites.per1000Changes)}`,
      `${n(x.nrpWrites.throttled)} / ${n(b.naive.nrpWrites.throttled)} / ${n(b.upstreamShaped.nrpWrites.throttled)}`,
      `${n(x.latencyMs.p50)} / ${n(b.naive.latencyMs.p50)} / ${n(b.upstreamShaped.latencyMs.p50)}`,
      `${n(x.latencyMs.p95)} / ${n(b.naive.latencyMs.p95)} / ${n(b.upstreamShaped.latencyMs.p95)}`,
      `${n(x.latencyMs.p99)} / ${n(b.naive.latencyMs.p99)} / ${n(b.upstreamShaped.latencyMs.p99)}`,
      `${s(x.convergedMs)} / ${s(b.naive.convergedMs)} / ${s(b.upstreamShaped.convergedMs)}`,
    ]));
  }
  out.push('');
  out.push('**Event-to-NRP latency by kind of change** (this project, p50 / p99 ms)');
  out.push('');
  out.push(row(['workload', 'kind of change', 'changes', 'p50 / p99 ms']));
  out.push(row(['---', '---', '---:', '---:']));
  for (const k of WORKLOADS) {
    for (const [kind, l] of Object.entries(r.detail[k].latencyByKindMs)) out.push(row([TITLES[k], kind, n(l.count), `${n(l.p50)} / ${n(l.p99)}`]));
  }
  out.push('');
  out.push('**Ratios** (this project ÷ baseline; below 1 is better)');
  out.push('');
  out.push(row(['workload', 'NRP writes ÷ naive', 'NRP writes ÷ upstream-shaped', 'p99 ÷ naive', 'p99 ÷ upstream-shaped']));
  out.push(row(['---', '---:', '---:', '---:', '---:']));
  for (const k of WORKLOADS) {
    const x = w[k].ratios;
    out.push(row([TITLES[k], n(x.nrpWritesToNaive, 3), n(x.nrpWritesToUpstreamShaped, 3), n(x.p99ToNaive, 3), n(x.p99ToUpstreamShaped, 3)]));
  }
  out.push('');
  out.push('**NRP write calls per 1,000 Kubernetes changes, by operation** (this project; `throttled` = 429 answers)');
  out.push('');
  out.push(row(['operation', ...WORKLOADS.map((k) => TITLES[k])]));
  out.push(row(['---', ...WORKLOADS.map(() => '---:')]));
  for (const op of [...WRITE_OPERATIONS, 'total']) {
    if (WORKLOADS.every((k) => (w[k].nrpWrites.calls[op] ?? 0) === 0)) continue;
    out.push(row([op === 'total' ? '**total**' : `\`${op}\``, ...WORKLOADS.map((k) => `${n(w[k].nrpWrites.per1000Changes[op] ?? 0, 1)} (${n(w[k].nrpWrites.calls[op] ?? 0)} calls)`)]));
  }
  out.push(row(['throttled (429)', ...WORKLOADS.map((k) => n(w[k].nrpWrites.throttled))]));
  out.push('');
  const t = f.steady;
  out.push('**Targets** (steady churn)');
  out.push('');
  out.push(row(['target', 'measured', 'bound', 'verdict']));
  out.push(row(['---', '---:', '---:', '---']));
  out.push(row(['≤ 1 `updateAddressLocations` per sync window', `${n(t.updateAddressLocationsCalls)} calls in ${n(t.syncWindows)} windows of ${s(t.syncWindowMs)} s (at most ${n(t.maxUpdateAddressLocationsInAnyWindow)} in any ${s(t.syncWindowMs)} s)`, '1 per window', yes(r.targets.oneUpdateAddressLocationsPerWindow)]));
  out.push(row(['p99 event-to-NRP latency < 2 windows + 1 NRP round trip', `${n(t.p99Ms)} ms`, `${n(t.p99LimitMs)} ms`, yes(r.targets.p99UnderTwoWindowsPlusRoundTrip)]));
  out.push(row(['share of the NRP write budget (1,000 / 5 min)', `${n(t.writeBudgetShare * 100, 1)} % (naive ${n(t.writeBudgetShareNaive * 100, 0)} %, upstream-shaped ${n(t.writeBudgetShareUpstreamShaped * 100, 0)} %)`, '< 10 %', yes(r.targets.underTenPercentOfWriteBudget)]));
  out.push('');
  out.push('**Targets of issue 15** (cost per change, not per cluster; every figure from this run)');
  out.push('');
  out.push(row(['target', 'measured', 'bound', 'verdict']));
  out.push(row(['---', '---:', '---:', '---']));
  for (const t of issueTargetRows(f)) out.push(row([t.title, t.measured, t.bound, yes(t.met)]));
  out.push('');
  out.push('**Azure cost drivers per Kubernetes change**');
  out.push('');
  out.push(row(['', ...WORKLOADS.map((k) => TITLES[k])]));
  out.push(row(['---', ...WORKLOADS.map(() => '---:')]));
  out.push(row(['Table Storage transactions', ...WORKLOADS.map((k) => n(w[k].tableTransactions.perChange, 2))]));
  out.push(row(['Service Bus messages sent', ...WORKLOADS.map((k) => n(w[k].serviceBus.messagesPerChange, 2))]));
  out.push(row(['Service Bus operations (send + deliver + settle + management)', ...WORKLOADS.map((k) => n(w[k].serviceBus.operationsPerChange, 2))]));
  const queueNames = [...new Set(WORKLOADS.flatMap((k) => Object.keys(w[k].serviceBus.operationsPerChangeByQueue)))].sort();
  for (const q of queueNames) out.push(row([`… of which on \`${q}\``, ...WORKLOADS.map((k) => n(w[k].serviceBus.operationsPerChangeByQueue[q] ?? 0, 2))]));
  out.push(row(['Function executions', ...WORKLOADS.map((k) => n(w[k].functions.executionsPerChange, 3))]));
  out.push(row(['Function busy time (ms)', ...WORKLOADS.map((k) => n((w[k].functions.busySeconds * 1_000) / w[k].changes, 1))]));
  out.push('');
  out.push('**The function host at work** (per workload, until convergence)');
  out.push('');
  out.push(row(['', ...WORKLOADS.map((k) => TITLES[k])]));
  out.push(row(['---', ...WORKLOADS.map(() => '---:')]));
  out.push(row(['invocations (engine / locations / serviceOps)', ...WORKLOADS.map((k) => ['engine', 'locations', 'serviceOps'].map((fn) => n(w[k].functions.byFunction[fn] ?? 0)).join(' / '))]));
  out.push(row(['events per engine invocation (one state load each)', ...WORKLOADS.map((k) => n(w[k].functions.engineEventsPerInvocation, 1))]));
  out.push(row(['share of the time some function ran', ...WORKLOADS.map((k) => `${n(w[k].functions.busyShare * 100)} %`)]));
  out.push(row(['invocations that failed and were redelivered', ...WORKLOADS.map((k) => n(w[k].functions.failedInvocations))]));
  out.push(row(['batches delivered again because the SDK closed the receiver first (not worked on)', ...WORKLOADS.map((k) => n(w[k].functions.closedBeforeInvocation))]));
  out.push(row(['messages the forwarder sent', ...WORKLOADS.map((k) => n(w[k].serviceBus.forwarderMessages))]));
  out.push(row(['event-loop delay of the harness process (Azurite, broker, simulators), p99 / max ms', ...WORKLOADS.map((k) => `${n(f.harness.eventLoopDelayP99Ms[k])} / ${n(f.harness.eventLoopDelayMaxMs[k])}`)]));
  out.push(row(['machine load average (1 min, 2 cores) at convergence', ...WORKLOADS.map((k) => n(f.harness.loadAverage[k], 2))]));
  out.push('');
  out.push(`One read of the whole engine state from Azurite, as every engine invocation does first, took ${n(f.harness.stateLoadMs)} ms at the end of the run.`);
  out.push('');
  const c = f.cost;
  out.push(`**Monthly cost of the steady workload** (${n(c.changesPerSecond)} changes/s all month = ${n(c.changesPerMonth / 1e6, 1)} M changes; Flex Consumption instance of ${n(c.instanceMemoryMb)} MB; prices of ${PRICES.readAt}, sources below)`);
  out.push('');
  out.push(row(['Table Storage', 'Service Bus Standard', 'Functions Flex Consumption', 'total']));
  out.push(row(['---:', '---:', '---:', '---:']));
  out.push(row([`$${n(c.monthlyUsd.table, 2)}`, `$${n(c.monthlyUsd.serviceBus, 2)}`, `$${n(c.monthlyUsd.functions, 2)}`, `**$${n(c.monthlyUsd.total, 2)}**`]));
  out.push('');
  out.push('**Engine core** (pure `decide()`, in the benchmark process before the pipeline starts)');
  out.push('');
  out.push(row(['decide() scenario (1,000 Services × 20 endpoints, 50 identities × 100 pods)', 'events/s']));
  out.push(row(['---', '---:']));
  for (const [k, v] of Object.entries(f.engine.decideEventsPerSecond)) out.push(row([k, n(v)]));
  for (const [k, v] of Object.entries(f.engine.locationsDiff100kMedianMs)) out.push(row([`locations diff of 100,000 addresses, ${k} (median ms)`, n(v, 1)]));
  out.push('');
  const m = f.memory;
  out.push('**Peak memory** (kernel high-water mark, VmHWM)');
  out.push('');
  out.push(row(['process', 'peak RSS MiB', 'what it holds']));
  out.push(row(['---', '---:', '---']));
  out.push(row(['function host, measured workloads', n(m.functionHostPeakMiB), 'the engine, serviceOps and locations handlers under the local queue-trigger host (host.json concurrency), their Service Bus, Table and ARM clients; not Azurite, the broker or the simulators']));
  out.push(row(['function host, set-up', n(m.functionHostSetupPeakMiB), `the same, while the steady state (${n(f.setup.objects)} objects) was built with a raised budget`]));
  out.push(row(['forwarder', n(m.forwarderPeakMiB), `forwarder/main.ts alone, over the whole run (its first list of the ${n(f.setup.objects)} objects included); ${n(m.forwarderMeasuredMaxMiB)} MiB at most during the measured workloads`]));
  return out.join('\n');
}
