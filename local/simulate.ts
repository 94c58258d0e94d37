// `npm run simulate -- --scenario FILE [--json] [--report OUT]`: one scenario through the whole
// local pipeline (shared/scenarios/README.md). Exit 0 when it converged, 1 when not, 2 when the
// scenario (or the command line) is bad.
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { fail, runMain } from './cli.ts';
import { startPipeline } from './host/pipeline.ts';
import type { Pipeline } from './host/pipeline.types.ts';
import type { Report } from './scenario/reportTypes.ts';
import { StepError, runScenario } from './scenario/runScenario.ts';
import { parseScenario } from './scenario/schema.ts';
import { formatSummary } from './scenario/summary.ts';

const USAGE = 'usage: npm run simulate -- --scenario FILE [--json] [--report OUT.json] [--nrp-write-share 0..1] [--nrp-write-burst N]';

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs({
      options: { scenario: { type: 'string' }, json: { type: 'boolean', default: false }, report: { type: 'string' }, 'nrp-write-share': { type: 'string' }, 'nrp-write-burst': { type: 'string' } },
      strict: true,
    });
  } catch (e) {
    return fail(2, `${e instanceof Error ? e.message : String(e)}\n${USAGE}`);
  }
  const file = args.values.scenario ?? fail(2, USAGE);
  const json = args.values.json;
  // The production write budget by default; raising it lets a scale scenario finish in test time.
  const share = args.values['nrp-write-share'] === undefined ? undefined : Number(args.values['nrp-write-share']);
  const burst = args.values['nrp-write-burst'] === undefined ? undefined : Number(args.values['nrp-write-burst']);
  if (share !== undefined && !(share > 0 && share <= 1)) return fail(2, `--nrp-write-share: a fraction in (0, 1]\n${USAGE}`);
  if (burst !== undefined && !(Number.isInteger(burst) && burst > 0)) return fail(2, `--nrp-write-burst: a positive whole number\n${USAGE}`);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    return fail(2, `bad scenario ${file}: cannot read it: ${e instanceof Error ? e.message : String(e)}`);
  }
  const parsed = parseScenario(text);
  if (!parsed.ok) return fail(2, `bad scenario ${file}: ${parsed.reason}`);
  const scenario = parsed.scenario;

  const out = (line: string): void => void process.stdout.write(`${line}\n`);
  const pipeline: Pipeline = await startPipeline({ cluster: scenario.cluster.name, log: json ? undefined : out, nrpWriteBudget: { share, burst } });
  // Ctrl-C stops the simulators (Azurite, listeners) rather than leaving them behind.
  const onSignal = (): void => void pipeline.stop().finally(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let report: Report;
  let why: readonly string[] = [];
  try {
    report = await runScenario(pipeline, scenario, {
      onProgress: json ? undefined : out,
      onNotConverged: (w) => {
        why = w;
      },
    });
  } catch (e) {
    if (e instanceof StepError) return fail(2, `bad scenario ${file}: ${e.message}`);
    throw e;
  } finally {
    await pipeline.stop();
  }

  if (args.values.report !== undefined) await writeFile(args.values.report, `${JSON.stringify(report, null, 2)}\n`);
  if (json) {
    out(JSON.stringify(report, null, 2));
    for (const w of why) process.stderr.write(`not converged: ${w}\n`);
  } else {
    out('');
    out(formatSummary(report, why));
    if (args.values.report !== undefined) out(`report written to ${args.values.report}`);
  }
  return report.converged ? 0 : 1;
}

runMain('simulate', main);
