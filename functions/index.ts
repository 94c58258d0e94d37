// The app's entry point: validate settings, wire the production dependencies, register functions.
// Telemetry comes first: it installs the OpenTelemetry providers everything else reports through.
import './telemetry.ts';
import { app } from '@azure/functions';
import { TableClient } from '@azure/data-tables';
import { ManagedIdentityCredential } from '@azure/identity';
import { ServiceBusClient } from '@azure/service-bus';
import { ServiceBusMessageSender } from '../shared/bus/serviceBusSender.ts';
import { TableStateStore, tableStateStoreFromConnectionString } from '../shared/state/tableStateStore.ts';
import { configureDependencies, systemDependencies } from './dependencies.ts';
import { readSettings, settingsWarnings } from './settings.ts';
import type { Settings } from './settings.ts';
import { ArmNetworkProvider } from '../shared/azure/armNetworkProvider.ts';
import { createArmNetworkClient } from '../shared/azure/armNetworkClient.ts';
import type { NetworkProvider } from '../shared/azure/networkProvider.ts';
import { NETWORK_SETTINGS, readNetworkConfig } from '../shared/azure/networkConfig.ts';
import { TableThrottleStore, tableThrottleStoreFromConnectionString } from '../shared/azure/tableThrottleStore.ts';
import { DEFAULT_THROTTLE_TABLE } from '../shared/azure/throttleDefaults.ts';
import { ThrottleGate } from '../shared/azure/throttleGate.ts';
import { EngineLog } from '../shared/telemetry/engineLog.ts';
import { defaultTelemetry } from '../shared/telemetry/telemetry.ts';
import type { Telemetry } from '../shared/telemetry/telemetry.ts';
import './engine.ts';
import './serviceOps.ts';
import './locations.ts';
import './debug.ts';

app.setup({ enableHttpStream: false });

/**
 * The ARM adapter with the shared write budget, when the network settings are there (all of them
 * are then validated, with one error per field). Without any, serviceOps and locations report a
 * retryable NoNetworkAdapter failure: visible in every operation's outcome, never silent.
 */
function networkFrom(env: NodeJS.ProcessEnv, credential: ManagedIdentityCredential, s: Settings, telemetry: Telemetry): NetworkProvider | null {
  if (!Object.values(NETWORK_SETTINGS).some((name) => env[name] !== undefined)) return null;
  const config = readNetworkConfig(env);
  const throttleStore = s.STATE_STORAGE_CONNECTION_STRING
    ? tableThrottleStoreFromConnectionString(s.STATE_STORAGE_CONNECTION_STRING)
    : new TableThrottleStore(new TableClient(s.AzureWebJobsStorage__tableServiceUri ?? '', DEFAULT_THROTTLE_TABLE, credential));
  const gate = new ThrottleGate(throttleStore, config.networkSubscriptionId, { onWait: (kind, ms) => telemetry.nrp.recordGateWait(kind, ms) });
  const client = createArmNetworkClient(credential, config, { gate, observer: telemetry.nrp });
  return new ArmNetworkProvider(client, config, { onSubstepFailure: (f) => telemetry.nrp.recordSubstepFailure(f.step) });
}

configureDependencies(() => {
  const s = readSettings(process.env);
  const telemetry = defaultTelemetry();
  // Once per instance, when it builds its dependencies for its first invocation.
  const startLog = new EngineLog(telemetry.logSink ?? ((level, line) => console[level](line)));
  for (const warning of settingsWarnings(s)) startLog.warn(warning);
  const credential = new ManagedIdentityCredential(s.AZURE_CLIENT_ID ? { clientId: s.AZURE_CLIENT_ID } : {});
  const store = s.STATE_STORAGE_CONNECTION_STRING
    ? tableStateStoreFromConnectionString(s.STATE_STORAGE_CONNECTION_STRING, { tableName: s.ENGINE_STATE_TABLE })
    : new TableStateStore(new TableClient(s.AzureWebJobsStorage__tableServiceUri ?? '', s.ENGINE_STATE_TABLE, credential));
  const bus = s.ServiceBusConnection
    ? new ServiceBusClient(s.ServiceBusConnection)
    : new ServiceBusClient(s.ServiceBusConnection__fullyQualifiedNamespace ?? '', credential);
  return Promise.resolve(systemDependencies({ store, sender: new ServiceBusMessageSender(bus), network: networkFrom(process.env, credential, s, telemetry), clusters: s.ENGINE_CLUSTERS, telemetry }));
});
