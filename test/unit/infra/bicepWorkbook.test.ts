// The engine's workbook (infra/workbook/engine-workbook.json): it charts the key engine metrics
// from Application Insights' customMetrics and the Service Bus dead letters, and workbook.bicep
// deploys exactly this file with every placeholder filled.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ENGINE_METRICS } from '../../../shared/telemetry/metricNames.ts';
import { BicepProject, calledName, callArguments, isBicepObject, stringLiteral, walk } from '../../support/bicep.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const WORKBOOK = join(ROOT, 'infra', 'workbook', 'engine-workbook.json');
const project = BicepProject.load(join(ROOT, 'infra'), ROOT);
const text = readFileSync(WORKBOOK, 'utf8');

// The metrics an operator reads first (issue 7); shared/telemetry/ defines them.
const KEY_METRICS = [
  'engine_service_operations_total',
  'engine_service_operation_duration_seconds',
  'engine_pending_service_operations',
  'engine_locations_sync_total',
  'engine_operation_retries_total',
  'engine_nrp_calls_total',
  'engine_nrp_throttled_total',
  'engine_event_to_nrp_latency_seconds',
];

interface Item {
  readonly type?: number;
  readonly name?: string;
  readonly content?: {
    readonly query?: string;
    readonly resourceType?: string;
    readonly metrics?: readonly { readonly metric?: string }[];
  };
}

function items(): Item[] {
  const parsed: unknown = JSON.parse(text);
  assert.ok(typeof parsed === 'object' && parsed !== null && 'items' in parsed && Array.isArray(parsed.items), 'a workbook with items');
  assert.equal((parsed as { version?: unknown }).version, 'Notebook/1.0');
  return parsed.items as Item[];
}

const queries = items().filter((i) => i.type === 3).map((i) => i.content?.query ?? '');

describe('infra workbook', () => {
  for (const metric of KEY_METRICS) {
    it(`charts ${metric} from customMetrics`, () => {
      assert.ok(queries.some((q) => /^customMetrics\b/.test(q) && q.includes(`"${metric}"`)), `a query reads ${metric}`);
    });
  }

  it('charts the dead-lettered messages of every queue from the Service Bus namespace', () => {
    const charts = items().filter((i) => i.type === 10 && i.content?.resourceType === 'microsoft.servicebus/namespaces');
    assert.ok(charts.some((c) => c.content?.metrics?.some((m) => m.metric?.endsWith('--DeadletteredMessages'))));
  });

  it('gives every item a unique name', () => {
    const names = items().map((i) => i.name ?? '');
    assert.deepEqual([...new Set(names)], names);
  });

  it('is deployed by a workbook resource that loads this file and fills every placeholder in it', () => {
    const resources = project.resources().filter((r) => r.type === 'Microsoft.Insights/workbooks' && !r.existing);
    assert.equal(resources.length, 1);
    const [workbook] = resources;
    assert.ok(workbook);
    const instance = project.instances(workbook)[0];
    assert.ok(instance && isBicepObject(instance.properties ?? null), 'the workbook has properties');
    const calls = [...walk(workbook.file.root)].filter((n) => n.type === 'call_expression');
    const loads = calls.filter((c) => calledName(c) === 'loadTextContent').map((c) => stringLiteral(callArguments(c)[0]));
    assert.deepEqual(loads.map((p) => resolve(dirname(workbook.file.path), p ?? '')), [WORKBOOK]);
    const replaced = calls.filter((c) => calledName(c) === 'replace').map((c) => stringLiteral(callArguments(c)[1]));
    const placeholders = [...new Set(text.match(/__[A-Z_]+__/g) ?? [])];
    assert.ok(placeholders.length > 0);
    assert.deepEqual([...placeholders].sort(), [...replaced].sort());
  });

  it('queries only metrics the engine emits, by labels those metrics carry', () => {
    const known: Readonly<Record<string, { readonly labels: readonly string[] }>> = ENGINE_METRICS;
    const problems: string[] = [];
    for (const item of items()) {
      const query = item.content?.query;
      if (query === undefined || !query.includes('customMetrics')) continue;
      const names = [...query.matchAll(/"(engine_[a-z_]+)"/g)].map((m) => m[1] ?? '');
      const labels = [...query.matchAll(/customDimensions\["([A-Za-z]+)"\]/g)].map((m) => m[1] ?? '');
      for (const name of names) {
        const spec = known[name];
        if (spec === undefined) problems.push(`${item.name ?? '?'}: ${name} is not emitted`);
        else for (const l of labels) if (!spec.labels.includes(l)) problems.push(`${item.name ?? '?'}: ${name} has no label ${l}`);
      }
    }
    assert.deepEqual(problems, []);
  });
});
