// One worker of the end-to-end tier: plays the scenarios it is given, one after another, each on
// a fresh pipeline in this process (the function registry is per process, so one pipeline at a
// time), and writes each report and progress log to the output folder. The test reads them.
//   node test/e2e/scenarioWorker.ts OUT_DIR SCENARIO.json...
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { startPipeline } from '../../local/host/pipeline.ts';
import { parseExpectations } from '../../local/scenario/expectations.ts';
import { runScenario } from '../../local/scenario/runScenario.ts';
import { parseScenario } from '../../local/scenario/schema.ts';

const [outDir, ...files] = process.argv.slice(2);
if (outDir === undefined) throw new Error('usage: scenarioWorker.ts OUT_DIR SCENARIO.json...');

for (const file of files) {
  const name = basename(file, '.json');
  const log: string[] = [];
  try {
    const parsed = parseScenario(readFileSync(file, 'utf8'));
    if (!parsed.ok) throw new Error(`bad scenario: ${parsed.reason}`);
    const expected = parseExpectations(readFileSync(file.replace(/\.json$/, '.expect.json'), 'utf8'));
    const options = expected.ok ? expected.expectations.pipeline : undefined;
    const window = options?.locationsSyncIntervalMs;
    const pipeline = await startPipeline({
      cluster: parsed.scenario.cluster.name,
      log: (l) => log.push(l),
      nrpWriteBudget: options?.nrpWriteBudget,
      engineConfig: window === undefined ? undefined : { locationsSyncIntervalMs: window },
    });
    try {
      const report = await runScenario(pipeline, parsed.scenario, { onProgress: (l) => log.push(l), onNotConverged: (why) => log.push(...why.map((w) => `not converged: ${w}`)) });
      writeFileSync(join(outDir, `${name}.report.json`), JSON.stringify(report));
    } finally {
      await pipeline.stop();
    }
  } catch (e) {
    log.push(`run failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  }
  writeFileSync(join(outDir, `${name}.log`), `${log.join('\n')}\n`);
  process.stdout.write(`done ${file}\n`);
}
process.exit(0);
