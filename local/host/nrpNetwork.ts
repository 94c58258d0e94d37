// The production ARM adapter (client, throttle gate on a Table Storage store, provider) pointed at
// the NRP simulator. Two local-only adjustments: ARM's bearer policy refuses plain http, so it is
// replaced by one that sets the same header from a fixed local token, and the polls of accepted
// (202) operations get an http client that allows http.
import type { AccessToken, TokenCredential } from '@azure/identity';
import { createDefaultHttpClient } from '@azure/core-rest-pipeline';
import type { HttpClient, Pipeline, PipelinePolicy } from '@azure/core-rest-pipeline';
import { createArmNetworkClient } from '../../shared/azure/armNetworkClient.ts';
import { ArmNetworkProvider } from '../../shared/azure/armNetworkProvider.ts';
import { readNetworkConfig } from '../../shared/azure/networkConfig.ts';
import { tableThrottleStoreFromConnectionString } from '../../shared/azure/tableThrottleStore.ts';
import type { Budget } from '../../shared/azure/throttleDefaults.ts';
import { ThrottleGate } from '../../shared/azure/throttleGate.ts';
import type { ThrottleStore } from '../../shared/azure/throttleStore.ts';
import { THROTTLE_GATE_POLICY_NAME } from '../../shared/azure/throttleGatePolicy.ts';
import type { NrpSimulator } from '../sim/nrp/server.ts';

const localToken: TokenCredential = {
  getToken: (): Promise<AccessToken> => Promise.resolve({ token: 'local-token', expiresOnTimestamp: Date.now() + 3_600_000 }),
};

/** An http client for the polls of accepted (202) operations that lets them go over plain http. */
export function httpAllowed(): HttpClient {
  const inner = createDefaultHttpClient();
  return {
    sendRequest(request) {
      request.allowInsecureConnection = true;
      return inner.sendRequest(request);
    },
  };
}

/** ARM's bearer policy refuses plain http: the same header, from a fixed local token, set after the throttle gate. */
export function useLocalBearer(client: { readonly pipeline: Pipeline }, credential: TokenCredential = localToken): void {
  client.pipeline.removePolicy({ name: 'bearerTokenAuthenticationPolicy' });
  const bearer: PipelinePolicy = {
    name: 'localBearer',
    async sendRequest(request, next) {
      request.headers.set('authorization', `Bearer ${(await credential.getToken('https://management.azure.com/.default'))?.token ?? ''}`);
      return next(request);
    },
  };
  client.pipeline.addPolicy(bearer, { afterPolicies: [THROTTLE_GATE_POLICY_NAME] });
}

export function localNetwork(sim: NrpSimulator, cluster: string, storageConnectionString: string, writeBudget: Partial<Budget> = {}): ArmNetworkProvider {
  const config = readNetworkConfig({
    AZURE_SUBSCRIPTION_ID: sim.subscriptionId,
    AZURE_RESOURCE_GROUP: sim.resourceGroup,
    AZURE_VNET_NAME: 'vnet',
    AZURE_LOCATION: sim.location,
    CLUSTER_NAME: cluster,
  });
  const store = tableThrottleStoreFromConnectionString(storageConnectionString, { clientOptions: { allowInsecureConnection: true } });
  const gate = new ThrottleGate(store, config.networkSubscriptionId, { budgets: { write: writeBudget } });
  const client = createArmNetworkClient(localToken, config, {
    gate,
    clientOptions: { endpoint: sim.baseUrl, allowInsecureConnection: true },
  });
  useLocalBearer(client);
  return new ArmNetworkProvider(client, config, { httpClient: httpAllowed(), pollIntervalMs: 100 });
}

/** The production ARM adapter against real Azure, for a local host switched to it (LOCAL_AZURE_NETWORK). */
export function azureNetwork(settings: Readonly<Record<string, string | undefined>>, throttleStore: ThrottleStore, credential: TokenCredential): ArmNetworkProvider {
  const config = readNetworkConfig(settings);
  const gate = new ThrottleGate(throttleStore, config.networkSubscriptionId);
  return new ArmNetworkProvider(createArmNetworkClient(credential, config, { gate }), config);
}
