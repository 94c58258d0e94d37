import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KubeApiError, retryAfterSecondsOf } from '../../../forwarder/kubeApi.ts';

describe('Retry-After from the API server', () => {
  it('reads the header in whole seconds, as kube-apiserver sends it', () => {
    assert.equal(retryAfterSecondsOf('3', null), 3);
    assert.equal(retryAfterSecondsOf(' 0 ', null), 0);
  });

  it('falls back to the Status body\'s details.retryAfterSeconds', () => {
    assert.equal(retryAfterSecondsOf(null, { kind: 'Status', details: { retryAfterSeconds: 2 } }), 2);
    assert.equal(retryAfterSecondsOf('4', { details: { retryAfterSeconds: 2 } }), 4, 'the header wins');
  });

  it('ignores what is not a whole number of seconds', () => {
    assert.equal(retryAfterSecondsOf('Wed, 21 Oct 2026 07:28:00 GMT', null), undefined);
    assert.equal(retryAfterSecondsOf('-1', null), undefined);
    assert.equal(retryAfterSecondsOf('1.5', { details: { retryAfterSeconds: 'soon' } }), undefined);
    assert.equal(retryAfterSecondsOf(null, null), undefined);
  });

  it('is carried by the error', () => {
    assert.equal(new KubeApiError(429, 'TooManyRequests', 'slow down', { retryAfterSeconds: 1 }).retryAfterSeconds, 1);
    assert.equal(new KubeApiError(500, 'InternalError', 'oops').retryAfterSeconds, undefined);
  });
});
