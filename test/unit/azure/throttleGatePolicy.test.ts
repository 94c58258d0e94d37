// throttleGatePolicy in real @azure/core-rest-pipeline pipelines over a fake HttpClient that notes
// the (virtual) time each request reaches it: the gate's waits come before the sends, writes and
// reads are told apart, 429s pause later requests, and the SDK's own retries pass the gate too.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createEmptyPipeline, createHttpHeaders, createPipelineFromOptions, createPipelineRequest } from '@azure/core-rest-pipeline';
import type { HttpClient, HttpMethods, Pipeline, PipelineRequest, PipelineResponse } from '@azure/core-rest-pipeline';
import { ThrottleGate } from '../../../shared/azure/throttleGate.ts';
import { THROTTLE_GATE_POLICY_OPTIONS, requestKindOf, throttleGatePolicy } from '../../../shared/azure/throttleGatePolicy.ts';
import { MemoryThrottleStore } from '../../../shared/azure/throttleStore.ts';
import { FakeClock, settle } from '../../support/fakeClock.ts';

const SUB = '22222222-2222-2222-2222-222222222222';
const URL = `https://management.azure.com/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Network/publicIPAddresses/p`;

interface Canned {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

/** Notes `METHOD@time` for every request it receives and answers from a script (default 200). */
class RecordingHttpClient implements HttpClient {
  readonly sent: string[] = [];
  private readonly clock: FakeClock;
  private readonly script: Canned[];

  constructor(clock: FakeClock, script: Canned[] = []) {
    this.clock = clock;
    this.script = script;
  }

  sendRequest(request: PipelineRequest): Promise<PipelineResponse> {
    this.sent.push(`${request.method}@${this.clock.now()}`);
    const r = this.script.shift() ?? { status: 200 };
    return Promise.resolve({ request, status: r.status, headers: createHttpHeaders(r.headers ?? {}), bodyAsText: r.body ?? '' });
  }
}

function setup(options: { burst?: number; pipeline?: Pipeline; script?: Canned[] } = {}) {
  const clock = new FakeClock();
  const store = new MemoryThrottleStore();
  const gate = new ThrottleGate(store, SUB, {
    clock,
    sleep: clock.sleep,
    sharedRefreshMs: 0,
    budgets: { write: { burst: options.burst ?? 2 }, read: { burst: options.burst ?? 2 } },
  });
  const pipeline = options.pipeline ?? createEmptyPipeline();
  pipeline.addPolicy(throttleGatePolicy(gate), THROTTLE_GATE_POLICY_OPTIONS);
  const http = new RecordingHttpClient(clock, options.script);
  const send = (method: HttpMethods, abortSignal?: AbortSignal): Promise<PipelineResponse> =>
    pipeline.sendRequest(http, createPipelineRequest({ url: URL, method, abortSignal }));
  return { clock, store, gate, http, send };
}

describe('throttleGatePolicy', () => {
  it('classifies GET, HEAD and OPTIONS as reads and everything else as writes', () => {
    assert.deepEqual(['GET', 'HEAD', 'OPTIONS', 'PUT', 'POST', 'DELETE', 'PATCH'].map(requestKindOf), ['read', 'read', 'read', 'write', 'write', 'write', 'write']);
  });

  it('sends writes only as the bucket allows, and reads beside them', async () => {
    const { clock, http, send } = setup();
    await clock.run(Promise.all([send('PUT'), send('POST'), send('DELETE'), send('PATCH'), send('GET')]));
    assert.deepEqual(http.sent, ['PUT@0', 'POST@0', 'GET@0', 'DELETE@600', 'PATCH@1200']);
  });

  it('holds later writes until the Retry-After of a 429 has passed, but not reads', async () => {
    const { clock, http, store, send } = setup({ burst: 10, script: [{ status: 429, headers: { 'retry-after': '30' }, body: '{"error":{"code":"SubscriptionRequestsThrottled"}}' }] });
    const first = await clock.run(send('PUT'));
    assert.equal(first.status, 429, 'the policy returns the 429 for the caller to handle');
    assert.equal((await store.read(SUB)).write, 30_000);
    await clock.run(Promise.all([send('PUT'), send('GET')]));
    assert.deepEqual(http.sent, ['PUT@0', 'GET@0', 'PUT@30000']);
  });

  it('does not pause the subscription for a 429 that only says the resource is busy', async () => {
    const { clock, http, store, send } = setup({ burst: 10, script: [{ status: 429, headers: { 'retry-after': '30' }, body: '{"error":{"code":"RetryableErrorDueToAnotherOperation"}}' }] });
    await clock.run(send('PUT'));
    await clock.run(send('PUT'));
    assert.deepEqual(await store.read(SUB), { read: 0, write: 0 });
    assert.deepEqual(http.sent, ['PUT@0', 'PUT@0']);
  });

  it('records a 429 on a read as a pause of reads only', async () => {
    const { clock, http, store, send } = setup({ burst: 10, script: [{ status: 429, headers: { 'retry-after-ms': '1500' } }] });
    await clock.run(send('GET'));
    assert.deepEqual(await store.read(SUB), { read: 1_500, write: 0 });
    await clock.run(Promise.all([send('GET'), send('PUT')]));
    assert.deepEqual(http.sent, ['GET@0', 'PUT@0', 'GET@1500']);
  });

  it('never sends a request whose wait is aborted', async () => {
    const { clock, http, send } = setup({ burst: 1 });
    await clock.run(send('PUT'));
    const controller = new AbortController();
    const waiting = send('PUT', controller.signal);
    await settle();
    controller.abort();
    await assert.rejects(waiting, { name: 'AbortError' });
    await clock.run(settle());
    assert.deepEqual(http.sent, ['PUT@0']);
  });

  it('gates every attempt when placed after the Retry phase of a default pipeline', async () => {
    // The SDK's throttling retry waits retry-after-ms (0 here) itself, then resends through the gate:
    // the gate, drained by the 429, holds the retry for one token period.
    const pipeline = createPipelineFromOptions({ retryOptions: { maxRetries: 1 } });
    const { clock, http, send } = setup({ burst: 1, pipeline, script: [{ status: 429, headers: { 'retry-after-ms': '0' } }, { status: 200 }] });
    const response = await clock.run(send('PUT'));
    assert.equal(response.status, 200);
    assert.deepEqual(http.sent, ['PUT@0', 'PUT@600']);
  });
});
