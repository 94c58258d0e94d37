// The metric table is what docs, tests and the workbook import: its names and labels are the
// contract of issue 7 and must not drift.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ENGINE_METRICS, ENGINE_METRIC_NAMES } from '../../../shared/telemetry/metricNames.ts';

describe('ENGINE_METRICS', () => {
  it('keeps the names and labels the issue asks for', () => {
    const required: Readonly<Record<string, readonly string[]>> = {
      engine_service_operations_total: ['operation', 'status'],
      engine_service_operation_duration_seconds: ['operation'],
      engine_buffered_endpoints_total: [],
      engine_buffered_pods_total: [],
      engine_buffer_duration_seconds: [],
      engine_locations_sync_total: ['status'],
      engine_locations_sync_duration_seconds: [],
      engine_location_addresses_synced: ['action'],
      engine_operation_retries_total: ['operation'],
      engine_nrp_calls_total: ['operation', 'status'],
      engine_nrp_call_duration_seconds: ['operation'],
      engine_nrp_throttled_total: ['operation'],
      engine_nrp_errors_total: ['operation', 'code'],
    };
    for (const [name, labels] of Object.entries(required)) {
      const spec = (ENGINE_METRICS as Readonly<Record<string, { labels: readonly string[] }>>)[name];
      assert.ok(spec, `${name} is missing`);
      assert.deepEqual([...spec.labels].sort(), [...labels].sort(), name);
    }
    // Gauges also carry the cluster they describe (one function app may serve several).
    assert.deepEqual([...ENGINE_METRICS.engine_pending_service_operations.labels].sort(), ['cluster', 'state']);
  });

  it('names every metric engine_* in snake case, with a unit suffix where it has a unit', () => {
    for (const name of ENGINE_METRIC_NAMES) {
      assert.match(name, /^engine_[a-z0-9_]+$/);
      const spec: { unit?: string; type: string } = ENGINE_METRICS[name];
      if (spec.unit === 's') assert.match(name, /_seconds$/, name);
      if (spec.type === 'counter') assert.ok(name.endsWith('_total') || name === 'engine_location_addresses_synced', name);
    }
  });
});
