// The Azure side of the code's contract, read from the parse tree of infra/*.bicep and compared
// with the code's own constants: the queues with the sessions the triggers expect and the delivery
// guarantees the handlers rely on, the tables, the Flex Consumption runtime, every app setting the
// app reads (identity-based, no connection strings) and the outputs the forwarder is configured from.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadYaml } from '@kubernetes/client-node';
// Installs the stand-in for the Functions host before the function modules register their triggers.
import { registered, triggerOf } from '../../support/functionsCore.ts';
import '../../../functions/engine.ts';
import '../../../functions/serviceOps.ts';
import '../../../functions/locations.ts';
import '../../../functions/debug.ts';
import { readSettings } from '../../../functions/settings.ts';
import { NETWORK_SETTINGS, readNetworkConfig } from '../../../shared/azure/networkConfig.ts';
import { DEFAULT_THROTTLE_TABLE } from '../../../shared/azure/throttleDefaults.ts';
import { QUEUES, SESSION_QUEUES } from '../../../shared/messages/outgoing.ts';
import { DEFAULT_STATE_TABLE } from '../../../shared/state/tableStateStore.ts';
import { BicepProject, isBicepObject, outputsOf, paramsOf, propertyAt, textOf } from '../../support/bicep.ts';
import type { BicepValue } from '../../support/bicep.ts';

type BicepObject = { readonly [key: string]: BicepValue };

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const project = BicepProject.load(join(ROOT, 'infra'), ROOT);

function instancesOf(type: string): BicepObject[] {
  return project.resources().filter((r) => r.type === type && !r.existing).flatMap((r) => project.instances(r));
}

function objectAt(value: BicepValue | undefined, where: string): BicepObject {
  assert.ok(value !== undefined && isBicepObject(value), `${where} is an object`);
  return value;
}

/** ISO 8601 durations as Service Bus takes them (PT30S, PT10M, P14D), in seconds. */
function durationSeconds(value: BicepValue | undefined): number {
  const text = textOf(value);
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(text);
  assert.ok(m && text !== 'P' && text !== 'PT', `an ISO 8601 duration: ${text}`);
  return Number(m[1] ?? 0) * 86_400 + Number(m[2] ?? 0) * 3_600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0);
}

/** The names a settings reader looks up, whatever it then makes of them. */
function settingNamesRead(read: (env: Readonly<Record<string, string | undefined>>) => unknown): string[] {
  const names = new Set<string>();
  const env = new Proxy<Record<string, string | undefined>>({}, {
    get(_target, key) {
      if (typeof key === 'string') names.add(key);
      return undefined;
    },
  });
  try {
    read(env);
  } catch {
    // Everything is missing, so the reader rejects the environment; the names are what we want.
  }
  return [...names];
}

const queues = new Map(instancesOf('Microsoft.ServiceBus/namespaces/queues').map((q) => [textOf(q.name), objectAt(q.properties, `queue ${textOf(q.name)}`)]));

const serviceBusTriggers = [...registered.keys()]
  .map((name) => ({ name, trigger: triggerOf(name) }))
  .filter((t) => t.trigger.type === 'serviceBusTrigger');

const appSettingsResources = project.resources().filter((r) => r.type === 'Microsoft.Web/sites/config' && !r.existing);
const appSettings: BicepObject = objectAt(
  appSettingsResources.flatMap((r) => project.instances(r)).find((i) => i.name === 'appsettings')?.properties,
  'the appsettings of the Function App',
);
const appSettingText = (name: string): string => {
  const config = appSettingsResources.find((r) => project.instances(r).some((i) => i.name === 'appsettings'));
  return propertyAt(config?.body.object ?? null, 'properties', name)?.text ?? '';
};

describe('infra Service Bus queues', () => {
  it('declares exactly the queues the code sends to', () => {
    assert.deepEqual([...queues.keys()].sort(), [...QUEUES].sort());
  });

  it('enables sessions exactly on the queues whose messages carry the cluster as session id', () => {
    for (const [name, q] of queues) assert.equal(q.requiresSession, SESSION_QUEUES.has(name as (typeof QUEUES)[number]), `${name}.requiresSession`);
  });

  it('has a queue for every Service Bus trigger, with sessions exactly when the trigger expects them', () => {
    assert.ok(serviceBusTriggers.length >= 3, `triggers: ${serviceBusTriggers.map((t) => t.name).join(', ')}`);
    for (const { name, trigger } of serviceBusTriggers) {
      const q = queues.get(String(trigger.queueName));
      assert.ok(q, `${name} listens to ${String(trigger.queueName)}, which infra declares`);
      assert.equal(q.requiresSession, trigger.isSessionsEnabled === true, `${name}: sessions`);
    }
  });

  it('detects duplicates on every queue for longer than a crashed message takes to come back maxDeliveryCount times', () => {
    for (const [name, q] of queues) {
      assert.equal(q.requiresDuplicateDetection, true, `${name}.requiresDuplicateDetection`);
      const window = durationSeconds(q.duplicateDetectionHistoryTimeWindow);
      const lock = durationSeconds(q.lockDuration);
      assert.ok(window >= 600, `${name}: a window of at least the 10 minutes ADR 0005 counts on (${window} s)`);
      assert.ok(window > lock * Number(q.maxDeliveryCount), `${name}: window ${window} s > lock ${lock} s x ${textOf(q.maxDeliveryCount)} deliveries`);
    }
  });

  it('dead-letters a message after a bounded number of deliveries and when it expires', () => {
    for (const [name, q] of queues) {
      assert.ok(Number.isInteger(q.maxDeliveryCount) && Number(q.maxDeliveryCount) >= 1 && Number(q.maxDeliveryCount) <= 10, `${name}.maxDeliveryCount ${textOf(q.maxDeliveryCount)}`);
      assert.equal(q.deadLetteringOnMessageExpiration, true, `${name}.deadLetteringOnMessageExpiration`);
      assert.ok(durationSeconds(q.lockDuration) <= 300, `${name}.lockDuration within Service Bus' 5 minutes`);
    }
  });
});

describe('infra tables', () => {
  it('declares the state table the app is told to use and the NRP throttle table', () => {
    const tables = instancesOf('Microsoft.Storage/storageAccounts/tableServices/tables').map((t) => t.name).sort();
    assert.deepEqual(tables, [appSettings.ENGINE_STATE_TABLE, DEFAULT_THROTTLE_TABLE].sort());
    assert.equal(appSettings.ENGINE_STATE_TABLE, DEFAULT_STATE_TABLE, 'the table local runs and tests use too');
  });
});

describe('infra Function App', () => {
  it('runs on a Flex Consumption plan', () => {
    const plans = instancesOf('Microsoft.Web/serverfarms');
    assert.equal(plans.length, 1);
    assert.deepEqual(plans[0]?.sku, { name: 'FC1', tier: 'FlexConsumption' });
  });

  it('runs Node.js of the major version the project pins', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { devDependencies?: Record<string, string> };
    const major = (pkg.devDependencies?.node ?? '').split('.')[0];
    const [site] = instancesOf('Microsoft.Web/sites');
    const config = objectAt(objectAt(site?.properties, 'site properties').functionAppConfig, 'functionAppConfig');
    assert.deepEqual(config.runtime, { name: 'node', version: major });
  });

  it('deploys from a blob container it reads with its user-assigned identity', () => {
    const [site] = instancesOf('Microsoft.Web/sites');
    const identity = objectAt(site?.identity, 'site identity');
    assert.equal(identity.type, 'UserAssigned');
    const assigned = Object.keys(objectAt(identity.userAssignedIdentities, 'userAssignedIdentities'));
    assert.equal(assigned.length, 1);
    const storage = objectAt(objectAt(objectAt(objectAt(site?.properties, 'properties').functionAppConfig, 'functionAppConfig').deployment, 'deployment').storage, 'deployment storage');
    assert.equal(storage.type, 'blobContainer');
    const auth = objectAt(storage.authentication, 'deployment storage authentication');
    assert.equal(auth.type, 'UserAssignedIdentity');
    const body = project.resources().find((r) => r.type === 'Microsoft.Web/sites' && !r.existing)?.body.object ?? null;
    const deployingIdentity = propertyAt(body, 'properties', 'functionAppConfig', 'deployment', 'storage', 'authentication', 'userAssignedIdentityResourceId')?.text;
    const appIdentityKey = propertyAt(body, 'identity', 'userAssignedIdentities')?.namedChildren[0]?.namedChildren[0]?.text;
    assert.equal(appIdentityKey, `'\${${deployingIdentity ?? ''}}'`, 'the identity the app runs as reads the package');
  });

  it('sets every app setting the app reads (functions/settings.ts, shared/azure/networkConfig.ts) except the local connection strings', () => {
    const read = [...settingNamesRead(readSettings), ...settingNamesRead(readNetworkConfig), ...Object.values(NETWORK_SETTINGS)];
    const connectionNames = new Set(serviceBusTriggers.map((t) => String(t.trigger.connection)));
    const localOnly = read.filter((n) => /CONNECTION_STRING$/.test(n) || connectionNames.has(n));
    assert.ok(localOnly.length >= 2, `local-only settings: ${localOnly.join(', ')}`);
    for (const name of read.filter((n) => !localOnly.includes(n))) assert.ok(name in appSettings, `app setting ${name}`);
    for (const name of localOnly) assert.ok(!(name in appSettings), `no app setting ${name}: a connection string`);
  });

  it('connects to storage and Service Bus by identity: <Connection>__credential managedidentity with the app\'s client id', () => {
    const connections = ['AzureWebJobsStorage', ...new Set(serviceBusTriggers.map((t) => String(t.trigger.connection)))];
    const clientId = appSettingText('AZURE_CLIENT_ID');
    assert.match(clientId, /^[A-Za-z]+$/, 'AZURE_CLIENT_ID is a parameter');
    for (const c of connections) {
      assert.equal(appSettings[`${c}__credential`], 'managedidentity', `${c}__credential`);
      assert.equal(appSettingText(`${c}__clientId`), clientId, `${c}__clientId`);
    }
    assert.ok('ServiceBusConnection__fullyQualifiedNamespace' in appSettings && 'AzureWebJobsStorage__accountName' in appSettings);
  });

  it('holds no connection string but Application Insights\', which it authenticates with Entra ID', () => {
    for (const name of Object.keys(appSettings)) {
      if (/connection_?string/i.test(name)) assert.equal(name, 'APPLICATIONINSIGHTS_CONNECTION_STRING');
    }
    assert.match(appSettingText('APPLICATIONINSIGHTS_AUTHENTICATION_STRING'), /^'ClientId=\$\{identityClientId\};Authorization=AAD'$/);
    assert.equal(appSettingText('AZURE_CLIENT_ID'), 'identityClientId');
  });

  it('serves the one cluster whose network it is configured for', () => {
    assert.equal(appSettingText('ENGINE_CLUSTERS'), appSettingText('CLUSTER_NAME'));
  });
});

describe('infra debug endpoint authentication (ADR 0022)', () => {
  const auth = project.resources().filter((r) => r.type === 'Microsoft.Web/sites/config' && !r.existing && project.instances(r).some((i) => i.name === 'authsettingsV2'));

  it('keeps the function key behind App Service authentication: the debug route is never anonymous', () => {
    assert.equal(triggerOf('debug').authLevel, 'function');
  });

  it('enables Entra ID App Service authentication when debugEntraClientId is set, answering 401 without a token for it', () => {
    assert.equal(auth.length, 1, 'one authsettingsV2 resource');
    const [resource] = auth;
    assert.ok(resource);
    assert.equal(resource.body.condition?.text, '(!empty(debugEntraClientId))');
    const [settings] = project.instances(resource);
    const props = objectAt(settings?.properties, 'authsettingsV2 properties');
    assert.deepEqual(props.platform, { enabled: true });
    assert.deepEqual(props.globalValidation, { requireAuthentication: true, unauthenticatedClientAction: 'Return401' });
    const body = resource.body.object;
    assert.equal(propertyAt(body, 'properties', 'identityProviders', 'azureActiveDirectory', 'enabled')?.text, 'true');
    assert.equal(propertyAt(body, 'properties', 'identityProviders', 'azureActiveDirectory', 'registration', 'clientId')?.text, 'debugEntraClientId');
    assert.match(propertyAt(body, 'properties', 'identityProviders', 'azureActiveDirectory', 'registration', 'openIdIssuer')?.text ?? '', /tenant\(\)\.tenantId\}\/v2\.0'$/);
    assert.match(propertyAt(body, 'properties', 'identityProviders', 'azureActiveDirectory', 'validation', 'allowedAudiences')?.text ?? '', /'api:\/\/\$\{debugEntraClientId\}'/);
  });

  it('takes debugEntraClientId from main.bicep (default empty: function keys alone) and azd\'s DEBUG_ENTRA_CLIENT_ID', () => {
    const param = paramsOf(project.file('infra/main.bicep')).find((p) => p.name === 'debugEntraClientId');
    assert.equal(param?.defaultValue?.text, "''");
    const module = project.modules().find((m) => m.path === './modules/functionApp.bicep');
    assert.equal(propertyAt(module?.body.object ?? null, 'params', 'debugEntraClientId')?.text, 'debugEntraClientId');
    const parameters = JSON.parse(readFileSync(join(ROOT, 'infra', 'main.parameters.json'), 'utf8')) as { parameters: Record<string, { value: string }> };
    assert.equal(parameters.parameters.debugEntraClientId?.value, '${DEBUG_ENTRA_CLIENT_ID=}');
  });
});

describe('infra outputs', () => {
  const main = project.file('infra/main.bicep');
  const outputs = new Map(outputsOf(main).map((o) => [o.name, o]));

  it('gives azd the location and tenant it expects', () => {
    for (const name of ['AZURE_LOCATION', 'AZURE_TENANT_ID']) assert.ok(outputs.has(name), name);
  });

  it('outputs every placeholder of the forwarder\'s configmap.yaml under the same name', () => {
    const configMap: unknown = loadYaml(readFileSync(join(ROOT, 'infra', 'k8s', 'configmap.yaml'), 'utf8'));
    const data = isRecord(configMap) && isRecord(configMap.data) ? configMap.data : {};
    const placeholders = Object.entries(data).filter(([, v]) => String(v).includes('<your-')).map(([k]) => k);
    assert.ok(placeholders.length >= 2, `placeholders: ${placeholders.join(', ')}`);
    for (const key of placeholders) assert.ok(outputs.has(key), `output ${key}`);
  });

  it('outputs the same Service Bus namespace the Function App connects to', () => {
    const app = propertyAt(project.modules().find((m) => m.target?.endsWith('functionApp.bicep'))?.body.object ?? null, 'params', 'serviceBusFullyQualifiedNamespace');
    assert.equal(outputs.get('SERVICEBUS_FULLY_QUALIFIED_NAMESPACE')?.value?.text, app?.text);
  });
});

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
