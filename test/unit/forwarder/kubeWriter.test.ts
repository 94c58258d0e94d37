// Which answers of the API server end an action (an outcome) and which are transient (thrown, for
// the consumer to retry): the writer against a fake API that fails every write with one status.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KubeWriter } from '../../../forwarder/actions/kubeWriter.ts';
import type { Json, KubeApi } from '../../../forwarder/kubeApi.ts';
import { KubeApiError } from '../../../forwarder/kubeApi.ts';
import { SERVICE_FINALIZER } from '../../../shared/engine/types.ts';
import type { KubernetesAction } from '../../../shared/messages/kubernetesActionSchema.ts';

const target = { kind: 'Service', namespace: 'default', name: 'web', uid: 'uid-web' } as const;
const add: KubernetesAction = { kind: 'AddFinalizer', target, finalizer: SERVICE_FINALIZER };
const event: KubernetesAction = { kind: 'RecordKubernetesEvent', target, type: 'Warning', reason: 'SyncFailed', message: 'm' };
const service: Json = { metadata: { name: 'web', namespace: 'default', uid: 'uid-web', resourceVersion: '7' }, spec: { type: 'LoadBalancer' } };

/** Reads succeed; every write fails with `fail` (an error, or a status as KubeApiError). */
function failingWrites(fail: number | Error): { api: Pick<KubeApi, 'request'>; writes: () => number } {
  let writes = 0;
  const api: Pick<KubeApi, 'request'> = {
    request: (method) => {
      if (method === 'GET') return Promise.resolve(service);
      writes += 1;
      return Promise.reject(typeof fail === 'number' ? new KubeApiError(fail, `Reason${fail}`, `HTTP ${fail}`) : fail);
    },
  };
  return { api, writes: () => writes };
}

const writerOn = (api: Pick<KubeApi, 'request'>): KubeWriter => new KubeWriter({ api, instance: 'test', conflictRetries: 2 });

describe('the Kubernetes writer\'s answers', () => {
  for (const [status, result] of [[400, 'refused'], [403, 'forbidden'], [422, 'refused'], [413, 'refused']] as const) {
    it(`ends the action on ${status}: ${result}, with the status, reason and detail, after one write`, async () => {
      const f = failingWrites(status);
      assert.deepEqual(await writerOn(f.api).apply(add), { result, status, reason: `Reason${status}`, detail: `HTTP ${status}` });
      assert.equal(f.writes(), 1);
    });
  }

  it('ends the action on 409 once its own conflict retries are spent', async () => {
    const f = failingWrites(409);
    const outcome = await writerOn(f.api).apply(add);
    assert.equal(outcome.result, 'conflict');
    assert.ok(outcome.result === 'conflict' && outcome.status === 409);
    assert.equal(f.writes(), 3, 'the first write and two conflict retries');
  });

  it('answers 404 as gone: the write and, for an Event, the namespace', async () => {
    assert.deepEqual(await writerOn(failingWrites(404).api).apply(add), { result: 'gone' });
    assert.deepEqual(await writerOn(failingWrites(404).api).apply(event), { result: 'gone' });
  });

  for (const status of [401, 408, 429, 500, 503]) {
    it(`throws ${status} for the consumer to retry`, async () => {
      const f = failingWrites(status);
      await assert.rejects(writerOn(f.api).apply(add), (e) => e instanceof KubeApiError && e.status === status);
      assert.equal(f.writes(), 1);
    });
  }

  it('throws a network failure for the consumer to retry', async () => {
    await assert.rejects(writerOn(failingWrites(new TypeError('fetch failed')).api).apply(event), /fetch failed/);
  });

  it('says what Kubernetes holds: the PATCH answer after a write, the object read when nothing was to do', async () => {
    const written: Json = { metadata: { ...(service['metadata'] as Json), resourceVersion: '8', finalizers: [SERVICE_FINALIZER] } };
    const api: Pick<KubeApi, 'request'> = { request: (method) => Promise.resolve(method === 'PATCH' ? written : service) };
    assert.deepEqual(await writerOn(api).apply(add), { result: 'applied', object: written });
    const remove: KubernetesAction = { kind: 'RemoveFinalizer', target, finalizer: SERVICE_FINALIZER };
    assert.deepEqual(await writerOn(api).apply(remove), { result: 'unchanged', object: service });
  });
});
