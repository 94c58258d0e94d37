// Which parts of the local host are switched to real services, from its settings.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NO_REAL_ADAPTERS, anyReal, describeRealAdapters, readRealAdapters } from '../../../local/host/realAdapters.ts';

describe('local host adapters', () => {
  it('are all local when nothing is set, whatever KUBECONFIG the developer has', () => {
    const a = readRealAdapters({ KUBECONFIG: '/home/me/.kube/config', AZURE_SUBSCRIPTION_ID: '00000000-0000-0000-0000-000000000000', LOCAL_KUBECONFIG: '  ' });
    assert.deepEqual(a, NO_REAL_ADAPTERS);
    assert.equal(anyReal(a), false);
  });

  it('switch each part on by its own setting', () => {
    const a = readRealAdapters({
      LOCAL_KUBECONFIG: '/tmp/kc',
      LOCAL_SERVICEBUS_NAMESPACE: 'sgw.servicebus.windows.net',
      LOCAL_STORAGE_TABLE_ENDPOINT: 'https://sgw.table.core.windows.net',
      LOCAL_AZURE_NETWORK: 'true',
      AZURE_SUBSCRIPTION_ID: '11111111-2222-3333-4444-555555555555',
    });
    assert.equal(a.kubeconfigPath, '/tmp/kc');
    assert.deepEqual(a.serviceBus, { namespace: 'sgw.servicebus.windows.net' });
    assert.deepEqual(a.storage, { tableEndpoint: 'https://sgw.table.core.windows.net' });
    assert.equal(a.network?.['AZURE_SUBSCRIPTION_ID'], '11111111-2222-3333-4444-555555555555');
    assert.equal(describeRealAdapters(a).length, 4);
    const cs = readRealAdapters({ LOCAL_SERVICEBUS_CONNECTION_STRING: 'Endpoint=sb://x/;SharedAccessKeyName=a;SharedAccessKey=b', LOCAL_STORAGE_CONNECTION_STRING: 'DefaultEndpointsProtocol=https;AccountName=x;AccountKey=y' });
    assert.ok(cs.serviceBus !== null && 'connectionString' in cs.serviceBus);
    assert.ok(cs.storage !== null && 'connectionString' in cs.storage);
  });

  it('refuses bad settings with one reason per setting', () => {
    assert.throws(
      () => readRealAdapters({ LOCAL_SERVICEBUS_NAMESPACE: 'sgw', LOCAL_STORAGE_TABLE_ENDPOINT: 'http://sgw.table.core.windows.net', LOCAL_AZURE_NETWORK: 'yes' }),
      (e: unknown) => e instanceof Error && /LOCAL_SERVICEBUS_NAMESPACE: a namespace host name/.test(e.message) && /LOCAL_STORAGE_TABLE_ENDPOINT: an https table endpoint/.test(e.message) && /LOCAL_AZURE_NETWORK/.test(e.message),
    );
    assert.throws(() => readRealAdapters({ LOCAL_SERVICEBUS_NAMESPACE: 'a.servicebus.windows.net', LOCAL_SERVICEBUS_CONNECTION_STRING: 'Endpoint=sb://a/' }), /set one of/);
  });
});
