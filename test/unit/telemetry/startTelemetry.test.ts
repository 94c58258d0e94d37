// The production wiring: Azure Monitor is started only when the app has a connection string, and
// then owns the global providers the engine's default telemetry records through.
// First: the fake Functions core must be in place before @azure/functions is set up.
import '../../support/functionsCore.ts';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, describe, it } from 'node:test';
import { shutdownAzureMonitor } from '@azure/monitor-opentelemetry';
import { metrics, trace } from '@opentelemetry/api';
import type { ProxyTracerProvider } from '@opentelemetry/api';
import { startTelemetry } from '../../../functions/telemetry.ts';

/** The hooks @azure/functions registers with the worker (the fake core, reached as the library reaches it). */
const hooks: string[] = [];
const core = createRequire(import.meta.url)('@azure/functions-core') as { registerHook(name: string, ...rest: unknown[]): unknown };
const registerHook = core.registerHook.bind(core);
core.registerHook = (name, ...rest) => {
  hooks.push(name);
  return registerHook(name, ...rest);
};

// The distro's own usage reports would otherwise go to a Microsoft endpoint.
process.env.APPLICATIONINSIGHTS_STATSBEAT_DISABLED = 'true';

describe('startTelemetry', () => {
  after(async () => {
    await shutdownAzureMonitor();
  });

  it('starts nothing without a connection string', () => {
    assert.equal(startTelemetry({}), false);
    assert.equal(metrics.getMeterProvider().constructor.name, 'NoopMeterProvider');
  });

  it('starts Azure Monitor and the Functions instrumentation with a connection string', () => {
    const started = startTelemetry({
      // Nothing listens there: exports fail quietly, the test sends nothing anywhere. (No client id:
      // the managed identity credential would try to reach the instance metadata service.)
      APPLICATIONINSIGHTS_CONNECTION_STRING: 'InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=http://127.0.0.1:9/',
    });
    assert.equal(started, true);
    assert.notEqual(metrics.getMeterProvider().constructor.name, 'NoopMeterProvider');
    assert.notEqual((trace.getTracerProvider() as ProxyTracerProvider).getDelegate().constructor.name, 'NoopTracerProvider');
    assert.ok(hooks.includes('preInvocation'), `the instrumentation hooks each invocation to continue the host's trace (hooks: ${hooks.join(', ')})`);
  });
});
