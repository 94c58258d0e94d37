// The end-to-end tier: every scenario in test/scenarios/ (and `npm start`'s default) played through
// the whole local pipeline by `npm run simulate` (Kubernetes API simulator -> forwarder -> bus ->
// function handlers -> NRP simulator, state in Azurite), then held to its `NAME.expect.json`:
// converged, the NRP and cluster state it must end with, its Events, its dead letters, and the NRP
// write calls it may spend.
//
// The scenarios run in a few worker processes (test/e2e/scenarioWorker.ts), each playing its share
// one after another on a fresh pipeline: a scenario mostly waits on timers and the bus, so running
// them side by side keeps the tier to a few minutes on two cores.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { expectationDifferences, parseExpectations } from '../../local/scenario/expectations.ts';
import type { Expectations } from '../../local/scenario/expectations.ts';
import type { Report } from '../../local/scenario/reportTypes.ts';
import { randomScenario } from './randomScenario.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FOLDERS = [join(ROOT, 'test/scenarios'), join(ROOT, 'local/scenarios')];
const PARALLEL = 3;

interface Case {
  readonly name: string;
  readonly file: string;
  readonly expectations: Expectations | string;
}

const scenarioNames = (folder: string): string[] =>
  readdirSync(folder)
    .filter((f) => f.endsWith('.json') && !f.endsWith('.expect.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort();

const cases: Case[] = FOLDERS.flatMap((folder) =>
  scenarioNames(folder).map((name) => {
    let expectations: Expectations | string;
    try {
      const parsed = parseExpectations(readFileSync(join(folder, `${name}.expect.json`), 'utf8'));
      expectations = parsed.ok ? parsed.expectations : `bad ${name}.expect.json: ${parsed.reason}`;
    } catch (e) {
      expectations = `no ${name}.expect.json: ${e instanceof Error ? e.message : String(e)}`;
    }
    return { name, file: join(folder, `${name}.json`), expectations };
  }),
);

const work = mkdtempSync(join(tmpdir(), 'scenarios-'));

// Generated scenarios (issue 13 item 13): RANDOM_SCENARIOS seeds from RANDOM_SCENARIO_SEED on,
// judged by convergence alone (the runner's expectedNrp, no finalizer stuck, every ingress IP
// written). A failing seed replays alone: RANDOM_SCENARIOS=1 RANDOM_SCENARIO_SEED=<seed>.
const RANDOM_COUNT = Number(process.env.RANDOM_SCENARIOS ?? 20);
const RANDOM_FROM = Number(process.env.RANDOM_SCENARIO_SEED ?? 1);
const randomCases: Case[] = Array.from({ length: RANDOM_COUNT }, (_, i) => {
  const seed = RANDOM_FROM + i;
  const file = join(work, `random-${seed}.json`);
  writeFileSync(file, JSON.stringify(randomScenario(seed), null, 1));
  writeFileSync(join(work, `random-${seed}.expect.json`), '{}');
  return { name: `random-${seed}`, file, expectations: 'converged only' };
});

interface Outcome {
  readonly report: Report | null;
  readonly log: string;
}

/**
 * Longest first onto the least loaded worker, by a cost guessed from the steps (a pipeline's start
 * and stop, then about 0.13 s per step: the 510-step scale scenario takes a minute alone), so the
 * tier ends close to its total divided by the workers.
 */
function shares(all: readonly Case[], n: number): Case[][] {
  const cost = (c: Case): number => 3 + 0.13 * (JSON.parse(readFileSync(c.file, 'utf8')) as { steps: unknown[] }).steps.length;
  const sorted = all.map((c) => ({ c, cost: cost(c) })).sort((a, b) => b.cost - a.cost);
  const out = Array.from({ length: n }, () => ({ cases: [] as Case[], load: 0 }));
  for (const { c, cost: k } of sorted) {
    const least = out.reduce((a, b) => (b.load < a.load ? b : a));
    least.cases.push(c);
    least.load += k;
  }
  return out.map((w) => w.cases);
}

function readOutcome(c: Case): Outcome {
  const read = (suffix: string): string | null => {
    try {
      return readFileSync(join(work, `${c.name}${suffix}`), 'utf8');
    } catch {
      return null;
    }
  };
  const report = read('.report.json');
  return { report: report === null ? null : (JSON.parse(report) as Report), log: read('.log') ?? '(no log)' };
}

/** Starts the workers; each scenario's promise settles when its worker reports it done (or exits). */
function runAll(all: readonly Case[]): Map<string, Promise<Outcome>> {
  const results = new Map<string, Promise<Outcome>>();
  for (const share of shares(all, PARALLEL)) {
    if (share.length === 0) continue;
    const waiting = new Map<string, (o: Outcome) => void>();
    for (const c of share) results.set(c.file, new Promise((r) => waiting.set(c.file, r)));
    const child = spawn(process.execPath, ['--disable-warning=DEP0040', join(ROOT, 'test/e2e/scenarioWorker.ts'), work, ...share.map((c) => c.file)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let pending = '';
    child.stdout.on('data', (d: Buffer) => {
      pending += d.toString();
      for (let i = pending.indexOf('\n'); i >= 0; i = pending.indexOf('\n')) {
        const line = pending.slice(0, i);
        pending = pending.slice(i + 1);
        const file = line.startsWith('done ') ? line.slice('done '.length) : null;
        if (file !== null) {
          const c = share.find((x) => x.file === file);
          if (c) waiting.get(c.file)?.(readOutcome(c));
          waiting.delete(file);
        }
      }
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => {
      // A worker that died leaves its remaining scenarios with what it wrote, and says why.
      for (const settle of waiting.values()) settle({ report: null, log: `the worker exited (${code}) before this scenario was done:\n${stderr}` });
    });
  }
  return results;
}

describe('end-to-end scenarios', () => {
  after(() => rmSync(work, { recursive: true, force: true }));

  it('the tier holds at least 25 scenarios, each with its expectations', () => {
    const tier = cases.filter((c) => c.file.includes(`${join('test', 'scenarios')}`));
    assert.ok(tier.length >= 25, `only ${tier.length} scenarios`);
    assert.deepEqual(cases.filter((c) => typeof c.expectations === 'string').map((c) => c.expectations), []);
  });

  const results = runAll([...cases.filter((c) => typeof c.expectations !== 'string'), ...randomCases]);
  for (const c of cases) {
    if (typeof c.expectations === 'string') continue;
    const expectations = c.expectations;
    it(`scenario ${c.name} converges within its NRP write bound and ends as expected`, async () => {
      const outcome = await results.get(c.file);
      assert.ok(outcome, 'the run was not started');
      const report = outcome.report;
      const problems = report === null ? ['no report'] : [...(report.converged ? [] : ['not converged']), ...expectationDifferences(report, expectations)];
      // The run's progress log is the first thing to read when a scenario fails.
      const shown = problems.map((p) => (p.length > 600 ? `${p.slice(0, 600)}…` : p));
      assert.deepEqual(problems, [], `${c.name}:\n  ${shown.join('\n  ')}\n--- progress ---\n${outcome.log}`);
    });
  }
  for (const c of randomCases) {
    it(`generated scenario ${c.name} converges (replay: RANDOM_SCENARIOS=1 RANDOM_SCENARIO_SEED=${c.name.slice('random-'.length)})`, async () => {
      const outcome = await results.get(c.file);
      assert.ok(outcome, 'the run was not started');
      assert.equal(outcome.report?.converged, true, `${c.name} did not converge:\n${readFileSync(c.file, 'utf8')}\n--- progress ---\n${outcome.log}`);
    });
  }
});
