// The app's entry point: validate settings, wire the production dependencies, register functions.
import { app } from '@azure/functions';
import { TableClient } from '@azure/data-tables';
import { ManagedIdentityCredential } from '@azure/identity';
import { ServiceBusClient } from '@azure/service-bus';
import { ServiceBusMessageSender } from '../shared/bus/serviceBusSender.ts';
import { TableStateStore, tableStateStoreFromConnectionString } from '../shared/state/tableStateStore.ts';
import { configureDependencies, systemDependencies } from './dependencies.ts';
import { readSettings } from './settings.ts';
import './engine.ts';
import './serviceOps.ts';
import './locations.ts';
import './debug.ts';

app.setup({ enableHttpStream: false });

configureDependencies(() => {
  const s = readSettings(process.env);
  const credential = new ManagedIdentityCredential(s.AZURE_CLIENT_ID ? { clientId: s.AZURE_CLIENT_ID } : {});
  const store = s.STATE_STORAGE_CONNECTION_STRING
    ? tableStateStoreFromConnectionString(s.STATE_STORAGE_CONNECTION_STRING, { tableName: s.ENGINE_STATE_TABLE })
    : new TableStateStore(new TableClient(s.AzureWebJobsStorage__tableServiceUri ?? '', s.ENGINE_STATE_TABLE, credential));
  const bus = s.ServiceBusConnection
    ? new ServiceBusClient(s.ServiceBusConnection)
    : new ServiceBusClient(s.ServiceBusConnection__fullyQualifiedNamespace ?? '', credential);
  // The ARM network adapter is wired here once it exists (issue 4); until then serviceOps reports
  // NoNetworkAdapter and the engine keeps retrying, visibly.
  return Promise.resolve(systemDependencies({ store, sender: new ServiceBusMessageSender(bus), network: null, clusters: s.ENGINE_CLUSTERS }));
});
