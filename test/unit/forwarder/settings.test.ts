import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readForwarderSettings } from '../../../forwarder/settings.ts';

describe('forwarder settings', () => {
  it('fill every default in a cluster with only the cluster name and the namespace set', () => {
    const s = readForwarderSettings({ CLUSTER_NAME: 'prod-1', SERVICEBUS_FULLY_QUALIFIED_NAMESPACE: 'sb.servicebus.windows.net' });
    assert.equal(s.FORWARDER_HTTP_PORT, 8080);
    assert.equal(s.FORWARDER_QUEUE_CAPACITY, 50_000);
    assert.equal(s.FORWARDER_QUEUE_BYTES, 64 * 1024 * 1024);
    assert.equal(s.FORWARDER_SHUTDOWN_GRACE_MS, 20_000);
    assert.equal(s.LOG_LEVEL, 'info');
  });

  it('refuse both a namespace and a connection string, naming the setting', () => {
    assert.throws(
      () => readForwarderSettings({ CLUSTER_NAME: 'c', SERVICEBUS_FULLY_QUALIFIED_NAMESPACE: 'x', SERVICEBUS_CONNECTION_STRING: 'y' }),
      /SERVICEBUS_FULLY_QUALIFIED_NAMESPACE: set exactly one/,
    );
  });

  it('refuse an outbox byte bound below 1 MiB, which a single large message could fill', () => {
    const env = { CLUSTER_NAME: 'c', SERVICEBUS_CONNECTION_STRING: 'y' };
    assert.throws(() => readForwarderSettings({ ...env, FORWARDER_QUEUE_BYTES: '262144' }), /FORWARDER_QUEUE_BYTES:/);
    assert.equal(readForwarderSettings({ ...env, FORWARDER_QUEUE_BYTES: '1048576' }).FORWARDER_QUEUE_BYTES, 1_048_576);
  });

  it('refuse a missing cluster name and a bad number, one line each', () => {
    assert.throws(
      () => readForwarderSettings({ SERVICEBUS_CONNECTION_STRING: 'y', FORWARDER_QUEUE_CAPACITY: 'lots' }),
      (e: unknown) => e instanceof Error && /CLUSTER_NAME:/.test(e.message) && /FORWARDER_QUEUE_CAPACITY:/.test(e.message),
    );
  });
});
