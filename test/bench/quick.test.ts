// `npm run bench -- --quick` and `-- --quick --scale` as CI smoke tests: the scaled-down runs
// complete and their JSON has every figure, each a finite number, and the scale run's plot is
// well-formed SVG. No thresholds: a slow or costly run is a figure, not a failure (the full run's
// numbers are judged in docs/benchmarks.md).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { ISSUE_TARGET_IDS } from '../../bench/report/issueTargets.ts';
import { SCALE_METRICS } from '../../bench/report/scaleFigures.ts';
import { descendants, parseXml } from '../support/xml.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WORKLOADS = ['steady', 'burst', 'wave'];
const BASELINES = ['naive', 'upstreamShaped'];

/** Paths (dot-separated) that must hold a finite number. */
const REQUIRED = [
  ...WORKLOADS.flatMap((w) => [
    `workloads.${w}.changes`,
    `workloads.${w}.convergedMs`,
    `workloads.${w}.latencyMs.p50`,
    `workloads.${w}.latencyMs.p95`,
    `workloads.${w}.latencyMs.p99`,
    `workloads.${w}.nrpWrites.per1000Changes.total`,
    `workloads.${w}.nrpWrites.per1000Changes.updateAddressLocations`,
    `workloads.${w}.tableTransactions.perChange`,
    `workloads.${w}.serviceBus.messagesPerChange`,
    `workloads.${w}.serviceBus.operationsPerChange`,
    `workloads.${w}.functions.executionsPerChange`,
    `workloads.${w}.ratios.nrpWritesToNaive`,
    `workloads.${w}.ratios.nrpWritesToUpstreamShaped`,
    `workloads.${w}.ratios.p99ToNaive`,
    `workloads.${w}.ratios.p99ToUpstreamShaped`,
    ...BASELINES.flatMap((b) => [`workloads.${w}.baselines.${b}.nrpWrites.per1000Changes.total`, `workloads.${w}.baselines.${b}.latencyMs.p99`, `workloads.${w}.baselines.${b}.convergedMs`]),
  ]),
  'engine.decideEventsPerSecond.sync in flight',
  'engine.locationsDiff100kMedianMs.empty mirror',
  'engine.locationsDiff100kMedianMs.1 % different mirror',
  'steady.updateAddressLocationsPerWindow',
  'steady.p99Ms',
  'steady.p99LimitMs',
  'steady.writeBudgetShare',
  'memory.functionHostPeakMiB',
  'memory.forwarderPeakMiB',
  'cost.perChange.tableTransactions',
  'cost.perChange.serviceBusOperations',
  'cost.monthlyUsd.total',
  'harness.stateLoadMs',
  'waveBudgetFloor.creationWrites',
  'waveBudgetFloor.floorS',
  'waveBudgetFloor.convergedOverFloor',
  ...ISSUE_TARGET_IDS.flatMap((id) => [`issueTargets.${id}.measured`, `issueTargets.${id}.bound`]),
];

const SCALE_FACTORS = [1, 2, 4];
/** Paths under a scale run's `figures` that must hold a finite number. */
const SCALE_REQUIRED = [
  ...SCALE_FACTORS.flatMap((_, i) => [
    `sizes.${i}.factor`,
    `sizes.${i}.services`,
    `sizes.${i}.addresses`,
    `sizes.${i}.changes`,
    `sizes.${i}.setupDurationS`,
    ...SCALE_METRICS.flatMap((k) => [`sizes.${i}.perChange.${k}`, `sizes.${i}.normalised.${k}`]),
  ]),
  ...SCALE_METRICS.map((k) => `largestOverSmallest.${k}`),
  'ratioBound',
];

function at(value: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((v, k) => (typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[k] : undefined), value);
}

/** Every leaf under `value` that is not a finite number, by path. */
function nonNumbers(value: unknown, path = 'figures'): string[] {
  if (typeof value === 'object' && value !== null) return Object.entries(value).flatMap(([k, v]) => nonNumbers(v, `${path}.${k}`));
  return typeof value === 'number' && Number.isFinite(value) ? [] : [`${path} = ${JSON.stringify(value)}`];
}

/** Time a hook allows beyond its run's own deadline, to stop the run and report its log. */
const HOOK_SLACK_MS = 15_000;

/**
 * Runs bench/run.ts with `args` into `out` and returns its result JSON (the one file ending in
 * `suffix`). A run past `deadlineMs` is stopped (SIGTERM: run.ts stops its child processes) and
 * fails with its log, rather than outliving the test with nothing to show what it waited for.
 */
async function benchRun(args: readonly string[], out: string, suffix: string, deadlineMs: number): Promise<Record<string, unknown>> {
  let stderr = '';
  const child = spawn(process.execPath, ['--disable-warning=DEP0040', 'bench/run.ts', ...args, '--out', out], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGTERM');
  }, deadlineMs);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  clearTimeout(timer);
  const why = timedOut ? `was stopped after ${deadlineMs / 1_000} s` : `failed (exit ${String(code)})`;
  assert.equal(code, 0, `bench/run.ts ${args.join(' ')} ${why}:\n${stderr.slice(-4_000)}`);
  const json = readdirSync(out).find((f) => f.endsWith(suffix));
  assert.ok(json, 'no result JSON was written');
  return JSON.parse(readFileSync(join(out, json), 'utf8')) as Record<string, unknown>;
}

describe('npm run bench -- --quick', () => {
  const out = mkdtempSync(join(tmpdir(), 'bench-quick-'));
  let result: Record<string, unknown> = {};

  before(async () => {
    result = await benchRun(['--quick'], out, '.json', 155_000);
  }, { timeout: 155_000 + HOOK_SLACK_MS });

  after(() => rmSync(out, { recursive: true, force: true }));

  it('writes a markdown table beside the JSON, with the targets of issue 15', () => {
    const md = readdirSync(out).find((f) => f.endsWith('.md'));
    assert.ok(md);
    assert.match(readFileSync(join(out, md), 'utf8'), /\*\*Targets of issue 15\*\*/);
  });

  it('names the machine and the commit', () => {
    assert.equal(result['mode'], 'quick');
    assert.match(String(result['commit']), /^([0-9a-f]{40}|unknown)$/);
    assert.equal(typeof at(result, 'machine.cpus'), 'number');
    assert.match(String(at(result, 'machine.node')), /^v\d+/);
  });

  it('has every figure, each a finite number', () => {
    const figures = result['figures'];
    for (const path of REQUIRED) assert.equal(typeof at(figures, path), 'number', `figures.${path} is missing`);
    assert.deepEqual(nonNumbers(figures), []);
  });

  it('says whether each target was met', () => {
    for (const t of ['oneUpdateAddressLocationsPerWindow', 'p99UnderTwoWindowsPlusRoundTrip', 'underTenPercentOfWriteBudget', ...ISSUE_TARGET_IDS]) {
      assert.equal(typeof at(result, `targets.${t}`), 'boolean', t);
    }
  });
});

describe('npm run bench -- --quick --scale', () => {
  const out = mkdtempSync(join(tmpdir(), 'bench-scale-'));
  let result: Record<string, unknown> = {};

  before(async () => {
    result = await benchRun(['--quick', '--scale'], out, '-scale.json', 240_000);
  }, { timeout: 240_000 + HOOK_SLACK_MS });

  after(() => rmSync(out, { recursive: true, force: true }));

  it('runs the steady churn at 1x, 2x and 4x the cluster', () => {
    assert.equal(result['mode'], 'quick');
    assert.deepEqual(SCALE_FACTORS.map((_, i) => at(result, `figures.sizes.${i}.factor`)), SCALE_FACTORS);
    const services = SCALE_FACTORS.map((_, i) => Number(at(result, `figures.sizes.${i}.services`)));
    assert.deepEqual(services, SCALE_FACTORS.map((f) => f * (services[0] ?? NaN)));
  });

  it('has every figure, each a finite number', () => {
    const figures = result['figures'];
    for (const path of SCALE_REQUIRED) assert.equal(typeof at(figures, path), 'number', `figures.${path} is missing`);
    assert.deepEqual(nonNumbers(figures), []);
    for (const k of SCALE_METRICS) assert.equal(typeof at(result, `targets.${k}`), 'boolean', k);
  });

  it('writes the plot beside the JSON, well-formed, one series per figure, and the markdown shows it', () => {
    const plot = String(result['plot']);
    assert.match(plot, /-scale\.svg$/);
    const svg = parseXml(readFileSync(join(out, plot), 'utf8'));
    assert.equal(svg.name, 'svg');
    const series = descendants(svg).filter((e) => 'data-metric' in e.attributes).map((e) => e.attributes['data-metric']);
    assert.deepEqual(series, [...SCALE_METRICS]);
    const md = readdirSync(out).find((f) => f.endsWith('-scale.md'));
    assert.ok(md);
    assert.ok(readFileSync(join(out, md), 'utf8').includes(`](${plot})`));
  });
});
