// npm run bench [-- --quick] [--scale] [--out DIR] [--seed N] [--write-ms N] [--lb-create-ms N]
// The benchmark of issue 8: this project against two baselines on the same change stream, with
// NRP's latency and write limit; writes DIR/<timestamp>.json (every figure under `figures`) and
// DIR/<timestamp>.md (the tables of docs/benchmarks.md), and prints the tables. DIR defaults to
// bench/results (git-ignored). --quick: scaled-down workloads, same code paths, for CI.
// --scale (issue 15): the steady churn alone at 1x, 2x and 4x the cluster, each on a fresh
// pipeline; writes DIR/<timestamp>-scale.json, -scale.md and the plot -scale.svg.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULT_BUDGETS } from '../shared/azure/throttleDefaults.ts';
import { defaultEngineConfig } from '../shared/engine/config.ts';
import { DEFAULT_ENGINE_RUNS } from './engine.ts';
import { serviceBusTriggerSettings } from '../local/host/hostJson.ts';
import type { BenchResult } from './report/benchResult.ts';
import { detailOf, figuresOf } from './report/figures.ts';
import { issueTargetVerdicts } from './report/issueTargets.ts';
import { markdownOf } from './report/markdown.ts';
import { runHeaderLines } from './report/runHeader.ts';
import { scaleFiguresOf, scaleVerdicts } from './report/scaleFigures.ts';
import { scaleMarkdownOf } from './report/scaleMarkdown.ts';
import { scalePlotSvg } from './report/scalePlot.ts';
import type { ScaleResult } from './report/scaleResult.ts';
import { NRP_LIMITS, runBench } from './runBench.ts';
import { runContext } from './runContext.ts';
import { runScale } from './runScale.ts';
import { FULL, QUICK, SCALE_FACTORS } from './workload/shapes.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    scale: { type: 'boolean', default: false },
    out: { type: 'string', default: join(ROOT, 'bench', 'results') },
    seed: { type: 'string', default: '42' },
    'write-ms': { type: 'string', default: '200' },
    'lb-create-ms': { type: 'string' },
  },
});
const quick = values.quick;
const mode = quick ? 'quick' : 'full';
const shapes = quick ? QUICK : FULL;
const seed = Number(values.seed);
const writeMs = Number(values['write-ms']);
// A load balancer create takes about 20 s in Azure; --quick shortens it to keep CI short.
const lbCreateMs = Number(values['lb-create-ms'] ?? (quick ? 2_000 : 20_000));
for (const [k, v] of Object.entries({ seed, writeMs, lbCreateMs })) if (!Number.isFinite(v) || v < 0) throw new Error(`--${k}: a number >= 0, please`);

// Interrupted: exit properly, so that the child processes are stopped with it.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

const started = new Date();
const context = runContext();
const t0 = performance.now();
const log = (line: string): void => {
  process.stderr.write(`[bench ${((performance.now() - t0) / 1000).toFixed(1).padStart(6)} s] ${line}\n`);
};
const elapsedS = (): number => Math.round((performance.now() - t0) / 1000);
const timing = {
  pollMs: quick ? 250 : 1_000,
  setupTimeoutMs: quick ? 90_000 : 20 * 60_000,
  workloadTimeoutMs: quick ? 90_000 : 20 * 60_000,
};
const parameters = {
  seed,
  nrpLatency: { writeMs, lbCreateMs },
  nrpWriteLimit: NRP_LIMITS.writes,
  functionsWriteBudget: DEFAULT_BUDGETS.write,
  syncWindowMs: defaultEngineConfig.locationsSyncIntervalMs,
  maxConcurrentOperations: defaultEngineConfig.maxConcurrentOperations,
  hostServiceBus: serviceBusTriggerSettings(new URL('../host.json', import.meta.url)),
};
mkdirSync(values.out, { recursive: true });
const stamp = started.toISOString().replace(/[:.]/g, '-');

async function fullRun(): Promise<void> {
  const engineRuns = quick ? { churnWarmup: 2, churnRuns: 5, diffWarmup: 1, diffRuns: 2 } : DEFAULT_ENGINE_RUNS;
  const measured = await runBench({ shapes, seed, writeMs, lbCreateMs, engineRuns, ...timing, log });
  const figures = figuresOf({ measured, writeMs, lbCreateMs, churnSeconds: shapes.churn.seconds, changesPerSecond: shapes.churn.changesPerSecond });
  const t = figures.steady;
  const result: BenchResult = {
    benchmark: 'npm run bench',
    mode,
    startedAt: started.toISOString(),
    elapsedS: elapsedS(),
    ...context,
    parameters: { ...parameters, shapes, engineRuns },
    targets: {
      oneUpdateAddressLocationsPerWindow: t.updateAddressLocationsCalls <= t.syncWindows,
      p99UnderTwoWindowsPlusRoundTrip: t.p99Ms < t.p99LimitMs,
      underTenPercentOfWriteBudget: t.writeBudgetShare < 0.1,
      ...issueTargetVerdicts(figures.issueTargets),
    },
    notes: [
      'Latency: from the change applied to the Kubernetes simulator to the NRP simulator carrying out the first write after which NRP shows it (per change, exact).',
      'Baselines: modelled on the recorded change stream (bench/baselines/baselineModel.ts, docs/adr/0009-benchmark-baselines.md); they see each change instantly.',
      'Table transactions: every HTTP request of the function host to Table Storage (a batch is one). Service Bus operations: sends per message, deliveries, settlements, management calls.',
    ],
    figures,
    detail: { steady: detailOf(measured.workloads.steady), burst: detailOf(measured.workloads.burst), wave: detailOf(measured.workloads.wave) },
  };
  const markdown = markdownOf(result);
  writeFileSync(join(values.out, `${stamp}.json`), `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(join(values.out, `${stamp}.md`), `${markdown}\n`);
  process.stdout.write(`${markdown}\n\nresults: ${join(values.out, `${stamp}.json`)}\n`);
}

async function scaleRun(): Promise<void> {
  const measured = await runScale({ shapes, factors: SCALE_FACTORS, seed, writeMs, lbCreateMs, ...timing, log });
  const figures = scaleFiguresOf(measured, writeMs, lbCreateMs);
  const plot = `${stamp}-scale.svg`;
  const result: ScaleResult = {
    benchmark: 'npm run bench -- --scale',
    mode,
    startedAt: started.toISOString(),
    elapsedS: elapsedS(),
    ...context,
    parameters: { ...parameters, cluster: shapes.cluster, churn: shapes.churn, factors: SCALE_FACTORS },
    figures,
    targets: scaleVerdicts(figures),
    plot,
  };
  const title = `Cost per change against cluster size (${mode} run of ${result.startedAt.slice(0, 10)}, commit ${result.commit.slice(0, 7)})`;
  const markdown = scaleMarkdownOf(figures, { lines: runHeaderLines(result), plotFile: plot, changesPerSecond: shapes.churn.changesPerSecond, churnSeconds: shapes.churn.seconds });
  writeFileSync(join(values.out, `${stamp}-scale.json`), `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(join(values.out, `${stamp}-scale.md`), `${markdown}\n`);
  writeFileSync(join(values.out, plot), scalePlotSvg(figures, title));
  process.stdout.write(`${markdown}\n\nresults: ${join(values.out, `${stamp}-scale.json`)}\n`);
}

await (values.scale ? scaleRun() : fullRun());
