// The app settings are validated once, with one clear error per problem.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readSettings, settingsWarnings } from '../../../functions/settings.ts';

const LOCAL = { STATE_STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true', ServiceBusConnection: 'Endpoint=sb://127.0.0.1:5672;SharedAccessKeyName=k;SharedAccessKey=v;UseDevelopmentEmulator=true' };
const AZURE = {
  AzureWebJobsStorage__tableServiceUri: 'https://stengine.table.core.windows.net',
  ServiceBusConnection__fullyQualifiedNamespace: 'sb-engine.servicebus.windows.net',
  AZURE_CLIENT_ID: '00000000-0000-0000-0000-000000000001',
};

describe('readSettings', () => {
  it('accepts the local connection strings and defaults the table and clusters', () => {
    const s = readSettings(LOCAL);
    assert.equal(s.ENGINE_STATE_TABLE, 'engineState');
    assert.deepEqual(s.ENGINE_CLUSTERS, []);
  });

  it('accepts the identity-based Azure settings', () => {
    const s = readSettings({ ...AZURE, ENGINE_CLUSTERS: 'aks-prod, aks-dev' });
    assert.deepEqual(s.ENGINE_CLUSTERS, ['aks-prod', 'aks-dev']);
    assert.equal(s.AzureWebJobsStorage__tableServiceUri, AZURE.AzureWebJobsStorage__tableServiceUri);
  });

  it('names the storage setting when neither form is given', () => {
    assert.throws(() => readSettings({ ServiceBusConnection__fullyQualifiedNamespace: 'x.servicebus.windows.net' }), /AzureWebJobsStorage__tableServiceUri: set AzureWebJobsStorage__tableServiceUri/);
  });

  it('names the Service Bus setting when neither form is given', () => {
    assert.throws(() => readSettings({ STATE_STORAGE_CONNECTION_STRING: 'x' }), /ServiceBusConnection__fullyQualifiedNamespace: set ServiceBusConnection__fullyQualifiedNamespace/);
  });

  it('rejects a table URI that is not a URL and a cluster name with a slash, each by name', () => {
    const err = (() => {
      try {
        readSettings({ ...AZURE, AzureWebJobsStorage__tableServiceUri: 'not a url', ENGINE_CLUSTERS: 'ok,bad/name' });
      } catch (e) {
        return e instanceof Error ? e.message : String(e);
      }
      return '';
    })();
    assert.match(err, /AzureWebJobsStorage__tableServiceUri/);
    assert.match(err, /ENGINE_CLUSTERS/);
  });

  it('warns at start when ENGINE_CLUSTERS is empty (no cluster is served), and not when it names one', () => {
    assert.match(settingsWarnings(readSettings(LOCAL)).join('\n'), /ENGINE_CLUSTERS is empty: the debug views answer 404/);
    assert.deepEqual(settingsWarnings(readSettings({ ...LOCAL, ENGINE_CLUSTERS: ' , ' })).length, 1);
    assert.deepEqual(settingsWarnings(readSettings({ ...LOCAL, ENGINE_CLUSTERS: 'aks-prod' })), []);
  });

  it('rejects a state table name Table Storage would refuse', () => {
    assert.throws(() => readSettings({ ...LOCAL, ENGINE_STATE_TABLE: '1-bad' }), /ENGINE_STATE_TABLE/);
  });
});
