// `npm start [-- --watch] [--scenario FILE] [--http-port N] [--kubeconfig PATH]`: the whole product
// on one machine, on embedded defaults. Plays the default scenario (local/scenarios/default.json)
// through the real forwarder and function handlers against the simulators, shows what is pending
// as it goes, and ends with the convergence report (exit 0 when converged, 1 when not). With
// --watch it then keeps running: kubectl works against the local cluster through the written
// kubeconfig, and the functions' debug views are served over HTTP.
// Any part can be switched to a real service by its LOCAL_* setting (local/host/realAdapters.ts);
// the host then only runs the product, under --watch.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { fail, runMain } from './cli.ts';
import { startPipeline } from './host/pipeline.ts';
import type { Pipeline } from './host/pipeline.ts';
import { anyReal, describeRealAdapters, readRealAdapters } from './host/realAdapters.ts';
import type { RealAdapters } from './host/realAdapters.ts';
import { StatusLine } from './scenario/statusLine.ts';
import { runScenario } from './scenario/runScenario.ts';
import { parseScenario } from './scenario/schema.ts';
import { formatSummary } from './scenario/summary.ts';

const USAGE = 'usage: npm start [-- --watch] [--scenario FILE] [--http-port N] [--kubeconfig PATH] [--report OUT.json]';
const DEFAULT_SCENARIO = new URL('./scenarios/default.json', import.meta.url);

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs({
      options: {
        watch: { type: 'boolean', default: false },
        scenario: { type: 'string' },
        'http-port': { type: 'string', default: '7071' },
        kubeconfig: { type: 'string', default: '.local/kubeconfig' },
        report: { type: 'string', default: '.local/report.json' },
      },
      strict: true,
    });
  } catch (e) {
    return fail(2, `${e instanceof Error ? e.message : String(e)}\n${USAGE}`);
  }
  const { watch, scenario: file, kubeconfig, report: reportPath } = args.values;
  const httpPort = Number(args.values['http-port']);
  if (!Number.isInteger(httpPort) || httpPort < 0 || httpPort > 65_535) return fail(2, `--http-port: a port number (0 for any free one)\n${USAGE}`);
  let real: RealAdapters;
  try {
    real = readRealAdapters(process.env);
  } catch (e) {
    return fail(2, e instanceof Error ? e.message : String(e));
  }
  // A scenario is played on the local stand-ins (it applies objects to the simulated cluster and
  // reads the simulated NRP); with real services the host only runs the product, under --watch.
  if (anyReal(real) && !watch) return fail(2, `real services are configured (${describeRealAdapters(real).join('; ')}): scenarios run on the local stand-ins only; use --watch to run the product against them`);
  const parsed = parseScenario(await readFile(file ?? DEFAULT_SCENARIO, 'utf8'));
  if (!parsed.ok) return fail(2, `bad scenario ${file ?? 'default'}: ${parsed.reason}`);
  const scenario = parsed.scenario;

  const out = (line: string): void => void process.stdout.write(`${line}\n`);
  const live = anyReal(real);
  if (live) {
    out('Service Gateway engine, local host against real services:');
    for (const line of describeRealAdapters(real)) out(`  ${line}`);
    out('  (the rest local)\n');
  } else {
    out(`Service Gateway engine, local pipeline: scenario "${scenario.name}"`);
    out(`  ${scenario.description ?? ''}`.trimEnd());
    out('  Kubernetes API simulator -> forwarder -> Service Bus (test broker) -> functions -> NRP simulator; state in Azurite\n');
  }
  await mkdir(dirname(kubeconfig), { recursive: true });
  const cluster = process.env['LOCAL_CLUSTER_NAME'] ?? scenario.cluster.name;
  const pipeline = await startPipeline({ cluster, log: out, kubeconfigPath: kubeconfig, httpPort: watch ? httpPort : null, real });
  let stopping = false;
  const stop = (code: number): void => {
    if (stopping) return;
    stopping = true;
    void pipeline.stop().finally(() => process.exit(code));
  };
  process.once('SIGINT', () => stop(130));
  process.once('SIGTERM', () => stop(143));

  const status = new StatusLine(pipeline, out);
  if (live) return watching(pipeline, status, real.kubeconfigPath ?? kubeconfig, out);
  status.start(1_000);
  let why: readonly string[] = [];
  const report = await runScenario(pipeline, scenario, { onProgress: out, onNotConverged: (w) => (why = w) });
  status.stop();
  await mkdir(dirname(reportPath), { recursive: true });
  await writeFile(reportPath, `${JSON.stringify(report, null, 2)}\n`);
  out('\nConvergence report');
  out(formatSummary(report, why));
  out(`full report (the npm run simulate format): ${reportPath}`);
  if (!watch) {
    await pipeline.stop();
    return report.converged ? 0 : 1;
  }

  return watching(pipeline, status, kubeconfig, out);
}

function watching(pipeline: Pipeline, status: StatusLine, kubeconfig: string, out: (line: string) => void): Promise<number> {
  const cluster = pipeline.cluster;
  out('\nWatching (Ctrl-C to stop). Change the cluster and watch the engine follow:');
  out(`  kubectl --kubeconfig ${kubeconfig} get services,pods -A`);
  out(`  kubectl --kubeconfig ${kubeconfig} apply -f my-service.yaml`);
  for (const view of ['services', 'buffered', 'locations']) out(`  curl ${pipeline.httpUrl ?? ''}/api/debug/difftracker/${view}?cluster=${cluster}`);
  out(`  NRP simulator (ARM REST): ${pipeline.nrp.baseUrl}`);
  status.start(2_000, { onlyChanges: true });
  return new Promise<number>(() => undefined);
}

runMain('npm start', main);
