// Who may do what in Azure, read from the parse tree of infra/*.bicep: the engine's identity holds
// exactly its data roles on its own resources and Network Contributor on the cluster's resource
// group only; the forwarder's identity may send to the events queue and receive from the actions
// queue, and only the forwarder's ServiceAccount can sign in as it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadYaml } from '@kubernetes/client-node';
// Installs the stand-in for the Functions host before functions/engine.ts registers its trigger.
import '../../support/functionsCore.ts';
import { ENGINE_QUEUE } from '../../../functions/engine.ts';
import { ACTIONS_QUEUE } from '../../../forwarder/actions/actionConsumer.ts';
import {
  BicepProject, Opaque, calledName, callArguments, isBicepObject, outputsOf, paramsOf, propertyAt, resourcesOf, stringLiteral, targetScopeOf, textOf, varsOf, walk,
} from '../../support/bicep.ts';
import type { BicepFile, BicepValue, ResourceDeclaration, SyntaxNode } from '../../support/bicep.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const project = BicepProject.load(join(ROOT, 'infra'), ROOT);
const main = project.file('infra/main.bicep');

// Built-in role definition ids (learn.microsoft.com/azure/role-based-access-control/built-in-roles).
const ROLE = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b',
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3',
  serviceBusDataSender: '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39',
  serviceBusDataReceiver: '4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0',
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb',
  networkContributor: '4d97b98b-1d4f-4787-a291-c67834d212e7',
} as const;
const roleName = new Map<string, string>(Object.entries(ROLE).map(([name, id]) => [id, name]));

interface Assignment {
  readonly resource: ResourceDeclaration;
  /** The resource type of the `scope:` resource, or `resourceGroup` for the deployment's scope. */
  readonly scopeType: string;
  readonly scopeName: BicepValue;
  readonly role: string;
  /** The principal as the caller passes it (`engineIdentity.outputs.principalId`). */
  readonly principal: string;
}

function assignments(): Assignment[] {
  return project.resources()
    .filter((r) => r.type === 'Microsoft.Authorization/roleAssignments' && !r.existing)
    .flatMap((resource) => project.instances(resource).map((i): Assignment => {
      const properties = isBicepObject(i.properties ?? null) ? (i.properties as { readonly [key: string]: BicepValue }) : {};
      const roleId = textOf(properties.roleDefinitionId).split('/').at(-1) ?? '';
      const scopeSymbol = propertyAt(resource.body.object, 'scope')?.text;
      const scope = scopeSymbol === undefined ? null : resourcesOf(resource.file).find((r) => r.symbol === scopeSymbol);
      return {
        resource,
        // A scope that is not a resource of the file (`resourceGroup()`) shows as its expression.
        scopeType: scope ? scope.type : scopeSymbol === undefined ? targetScopeOf(resource.file) : `scope ${scopeSymbol}`,
        scopeName: scope ? (project.instances(scope)[0]?.name ?? null) : null,
        role: roleName.get(roleId) ?? roleId,
        principal: textOf(properties.principalId ?? null),
      };
    }));
}

const all = assignments();

function grants(principal: string): string[] {
  return all.filter((a) => a.principal === principal).map((a) => `${a.role} on ${a.scopeType}${typeof a.scopeName === 'string' ? ` ${a.scopeName}` : ''}`).sort();
}

/** The identity module whose client id the Function App runs with (`engineIdentity`). */
function appIdentityModule(): string {
  const site = project.resources().find((r) => r.type === 'Microsoft.Web/sites' && !r.existing);
  assert.ok(site);
  const identity = project.instances(site)[0]?.identity ?? null;
  assert.ok(isBicepObject(identity));
  const assigned = identity.userAssignedIdentities ?? null;
  assert.ok(isBicepObject(assigned));
  const [key] = Object.keys(assigned);
  // A computed key `'${identityId}'` whose parameter the caller passes as `<module>.outputs.id`.
  const passed = propertyAt(project.callersOf(site.file)[0]?.body.object ?? null, 'params', 'identityId')?.text ?? '';
  assert.match(key ?? '', /identityId/);
  return passed.split('.')[0] ?? '';
}

/** Whether `node` depends on the parameter `name` of `file`, directly or through variables. */
function dependsOnParam(file: BicepFile, node: SyntaxNode | null, name: string, depth = 0): boolean {
  if (!node || depth > 10) return false;
  for (const n of walk(node)) {
    if (n.type !== 'identifier') continue;
    if (n.text === name && paramsOf(file).some((p) => p.name === name)) return true;
    const v = varsOf(file).find((x) => x.name === n.text);
    if (v && dependsOnParam(file, v.value, name, depth + 1)) return true;
  }
  return false;
}

describe('infra role assignments', () => {
  it('finds role assignments for both identities', () => {
    assert.ok(all.length >= 8, `${all.length} role assignments`);
  });

  it('names every role assignment guid(scope, principal, role) and types the principal as a service principal', () => {
    for (const a of all) {
      const where = `${a.resource.file.name} ${a.resource.symbol}`;
      const name = propertyAt(a.resource.body.object, 'name');
      assert.ok(name?.type === 'call_expression' && calledName(name) === 'guid', `${where}: name is guid(...)`);
      assert.equal(callArguments(name).length, 3, `${where}: guid of scope, principal and role`);
      assert.equal(propertyAt(a.resource.body.object, 'properties', 'principalType')?.text, "'ServicePrincipal'", where);
    }
  });

  it('uses only the built-in roles it needs: no Owner, Contributor, User Access Administrator or Data Owner of Service Bus', () => {
    const known = new Set<string>(Object.keys(ROLE));
    for (const a of all) assert.ok(known.has(a.role), `${a.resource.file.name} ${a.resource.symbol}: role ${a.role}`);
  });

  it('gives the engine\'s identity exactly its data roles, each on the one resource it is about', () => {
    const engine = `${appIdentityModule()}.outputs.principalId`;
    assert.deepEqual(grants(engine).filter((g) => !g.startsWith('networkContributor')), [
      'monitoringMetricsPublisher on Microsoft.Insights/components',
      'serviceBusDataReceiver on Microsoft.ServiceBus/namespaces',
      'serviceBusDataSender on Microsoft.ServiceBus/namespaces',
      'storageBlobDataOwner on Microsoft.Storage/storageAccounts',
      'storageTableDataContributor on Microsoft.Storage/storageAccounts',
    ]);
  });

  it('grants Network Contributor once, to the engine, on the deployment scope of a resource-group module', () => {
    const network = all.filter((a) => a.role === 'networkContributor');
    assert.equal(network.length, 1, 'one Network Contributor assignment');
    const [a] = network;
    assert.ok(a);
    assert.equal(a.principal, `${appIdentityModule()}.outputs.principalId`);
    assert.equal(a.scopeType, 'resourceGroup', 'no scope: it takes the module\'s resource group');
    assert.equal(propertyAt(a.resource.body.object, 'scope'), null);
  });

  it('deploys that module once, into the cluster\'s resource group in the NRP subscription', () => {
    const file = all.find((a) => a.role === 'networkContributor')?.resource.file;
    assert.ok(file);
    const callers = project.callersOf(file);
    assert.equal(callers.length, 1, `${file.name} is deployed once`);
    const [caller] = callers;
    assert.ok(caller);
    const scope = propertyAt(caller.body.object, 'scope');
    assert.ok(scope?.type === 'call_expression' && calledName(scope) === 'resourceGroup', `scope: ${scope?.text ?? 'none'}`);
    const [subscription, group] = callArguments(scope);
    assert.equal(group?.text, 'clusterResourceGroup');
    assert.ok(paramsOf(caller.file).some((p) => p.name === 'clusterResourceGroup'), 'clusterResourceGroup is a parameter');
    assert.ok(dependsOnParam(caller.file, subscription ?? null, 'nrpSubscriptionId'), `${subscription?.text ?? ''} comes from nrpSubscriptionId`);
  });

  it('mentions the Network Contributor role in that one module only', () => {
    for (const f of project.files) {
      const mentions = [...walk(f.root)].filter((n) => n.type === 'string' && stringLiteral(n) === ROLE.networkContributor);
      const holder = all.find((a) => a.role === 'networkContributor')?.resource.file;
      assert.equal(mentions.length, f === holder ? 1 : 0, `${f.name} mentions Network Contributor ${mentions.length} times`);
    }
  });
});

describe('infra forwarder identity', () => {
  const serviceAccount: unknown = loadYaml(readFileSync(join(ROOT, 'infra', 'k8s', 'serviceaccount.yaml'), 'utf8'));
  const metadata = isRecord(serviceAccount) && isRecord(serviceAccount.metadata) ? serviceAccount.metadata : {};

  function principalOfFederatedIdentity(): string {
    const federation = project.resources().find((r) => r.type === 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials');
    assert.ok(federation);
    const caller = project.callersOf(federation.file)[0];
    return propertyAt(caller?.body.object ?? null, 'params', 'principalId')?.text ?? '';
  }

  it('lets the forwarder send only to the events queue and receive only from the actions queue', () => {
    const forwarder = principalOfFederatedIdentity();
    assert.notEqual(forwarder, `${appIdentityModule()}.outputs.principalId`, 'the forwarder has an identity of its own');
    assert.deepEqual(grants(forwarder), [
      `serviceBusDataReceiver on Microsoft.ServiceBus/namespaces/queues ${ACTIONS_QUEUE}`,
      `serviceBusDataSender on Microsoft.ServiceBus/namespaces/queues ${ENGINE_QUEUE}`,
    ]);
  });

  it('trusts tokens of exactly the forwarder\'s ServiceAccount in infra/k8s/serviceaccount.yaml, for the token exchange audience', () => {
    const federations = project.resources().filter((r) => r.type === 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials');
    assert.equal(federations.length, 1);
    const [instance] = federations.flatMap((r) => project.instances(r));
    const properties = instance?.properties ?? null;
    assert.ok(isBicepObject(properties));
    assert.equal(properties.subject, `system:serviceaccount:${String(metadata.namespace)}:${String(metadata.name)}`);
    assert.deepEqual(properties.audiences, ['api://AzureADTokenExchange']);
    assert.ok(properties.issuer instanceof Opaque && /oidcIssuerUrl/.test(properties.issuer.text), 'the issuer is the cluster\'s, a parameter');
  });

  it('federates the identity whose client id the forwarder is told to use', () => {
    const federation = project.resources().find((r) => r.type === 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials');
    assert.ok(federation);
    const identityModule = propertyAt(project.callersOf(federation.file)[0]?.body.object ?? null, 'params', 'identityName')?.text.split('.')[0];
    const output = outputsOf(main).find((o) => o.name === 'FORWARDER_CLIENT_ID');
    assert.ok(output, 'main.bicep outputs FORWARDER_CLIENT_ID');
    assert.equal(output.value?.text, `${identityModule ?? '?'}.outputs.clientId`);
  });
});

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
