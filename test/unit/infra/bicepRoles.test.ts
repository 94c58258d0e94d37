// Who may do what in Azure, read from the parse tree of infra/*.bicep: the engine's identity holds
// exactly its data roles on its own resources, a Service Bus role on each queue it sends to or is
// triggered by and on no other, and two custom network roles listing exactly the actions its
// network adapter calls (shared/azure/armActions.ts), one on the cluster's resource group and one
// on its VNet (docs/adr/0021); the forwarder's identity may send to the events queue and receive
// from the actions queue, and only the forwarder's ServiceAccount can sign in as it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadYaml } from '@kubernetes/client-node';
// Installs the stand-in for the Functions host before the function modules register their triggers.
import { registered, triggerOf } from '../../support/functionsCore.ts';
import '../../../functions/index.ts';
import { ENGINE_QUEUE } from '../../../functions/engine.ts';
import { ACTIONS_QUEUE } from '../../../forwarder/actions/actionConsumer.ts';
import { actionsAt } from '../../../shared/azure/armActions.ts';
import {
  BicepProject, Opaque, calledName, callArguments, isBicepObject, modulesOf, outputsOf, paramsOf, propertyAt, resourcesOf, stringLiteral, targetScopeOf, textOf, varsOf, walk,
} from '../../support/bicep.ts';
import type { BicepFile, BicepValue, ResourceDeclaration, SyntaxNode } from '../../support/bicep.ts';
import { queuesSentFrom } from '../../support/sentQueues.ts';

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
} as const;
// Every network action in the cluster's resource group, VNets, subnets and NSGs included: never.
const NETWORK_CONTRIBUTOR = '4d97b98b-1d4f-4787-a291-c67834d212e7';
const roleName = new Map<string, string>([...Object.entries(ROLE).map(([name, id]): [string, string] => [id, name]), [NETWORK_CONTRIBUTOR, 'networkContributor']]);

interface Assignment {
  readonly resource: ResourceDeclaration;
  /** The resource type of the `scope:` resource, or `resourceGroup` for the deployment's scope. */
  readonly scopeType: string;
  readonly scopeName: BicepValue;
  readonly role: string;
  /** The principal as the caller passes it (`engineIdentity.outputs.principalId`). */
  readonly principal: string;
}

/** A custom role defined in the assignment's file and named by `<symbol>.id`: `custom <symbol>`. */
function roleOf(resource: ResourceDeclaration, roleDefinitionId: BicepValue): string {
  const id = propertyAt(resource.body.object, 'properties', 'roleDefinitionId');
  const custom = id?.type === 'member_expression' && id.childForFieldName('property')?.text === 'id' ? id.childForFieldName('object')?.text : undefined;
  if (custom && resourcesOf(resource.file).some((r) => r.symbol === custom && r.type === 'Microsoft.Authorization/roleDefinitions')) return `custom ${custom}`;
  const roleId = textOf(roleDefinitionId).split('/').at(-1) ?? '';
  return roleName.get(roleId) ?? roleId;
}

/** The `scope:` resource of one instance: `namespace`, or `sendQueues[i]` with this instance's `i`. */
function scopeOf(resource: ResourceDeclaration, bindings: ReturnType<BicepProject['loopBindings']>[number]): { symbol: string | null; resource: ResourceDeclaration | null; index: number } {
  const node = propertyAt(resource.body.object, 'scope');
  if (!node) return { symbol: null, resource: null, index: 0 };
  const indexed = node.type === 'subscript_expression';
  const symbol = indexed ? (node.childForFieldName('object')?.text ?? '') : node.text;
  const index = indexed ? project.evaluate(resource.file, node.childForFieldName('index'), bindings) : 0;
  return { symbol, resource: resourcesOf(resource.file).find((r) => r.symbol === symbol) ?? null, index: typeof index === 'number' ? index : -1 };
}

function assignments(): Assignment[] {
  return project.resources()
    .filter((r) => r.type === 'Microsoft.Authorization/roleAssignments' && !r.existing)
    .flatMap((resource) => project.loopBindings(resource).map((bindings, i): Assignment => {
      const instance = project.instances(resource)[i] ?? {};
      const properties = isBicepObject(instance.properties ?? null) ? (instance.properties as { readonly [key: string]: BicepValue }) : {};
      const scope = scopeOf(resource, bindings);
      return {
        resource,
        // A scope that is not a resource of the file (`resourceGroup()`) shows as its expression.
        scopeType: scope.resource ? scope.resource.type : scope.symbol === null ? targetScopeOf(resource.file) : `scope ${scope.symbol}`,
        scopeName: scope.resource ? (project.instances(scope.resource)[scope.index]?.name ?? null) : null,
        role: roleOf(resource, properties.roleDefinitionId ?? null),
        principal: textOf(properties.principalId ?? null),
      };
    }));
}

const all = assignments();

// What the engine's code uses: the queues its Service Bus triggers name, and the queues of the
// messages its modules build (test/support/sentQueues.ts).
const engineReceives = [...new Set([...registered.keys()].map(triggerOf).filter((t) => t.type === 'serviceBusTrigger').map((t) => String(t.queueName)))].sort();
const engineSends = [...new Set(queuesSentFrom(join(ROOT, 'functions', 'index.ts'), ROOT).map((q) => q.queue))].sort();

function customRole(symbol: string): ResourceDeclaration {
  const [definition, ...more] = project.resources().filter((r) => r.type === 'Microsoft.Authorization/roleDefinitions' && r.symbol === symbol);
  assert.ok(definition, `a role definition ${symbol}`);
  assert.equal(more.length, 0);
  return definition;
}

/** The resource group a module file is deployed into (its one caller's `resourceGroup(subscription, group)`), checking the subscription is the NRP one. */
function deployedInto(file: BicepFile): SyntaxNode {
  const callers = project.callersOf(file);
  assert.equal(callers.length, 1, `${file.name} is deployed once`);
  const [caller] = callers;
  assert.ok(caller);
  const scope = propertyAt(caller.body.object, 'scope');
  assert.ok(scope?.type === 'call_expression' && calledName(scope) === 'resourceGroup', `scope: ${scope?.text ?? 'none'}`);
  const [subscription, group] = callArguments(scope);
  assert.ok(dependsOnParam(caller.file, subscription ?? null, 'nrpSubscriptionId'), `${subscription?.text ?? ''} comes from nrpSubscriptionId`);
  assert.ok(group);
  return group;
}

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

  it('uses only the built-in roles it needs (no Owner, Contributor, User Access Administrator, Data Owner of Service Bus or Network Contributor) and its own custom roles', () => {
    const known = new Set<string>(Object.keys(ROLE));
    for (const a of all) assert.ok(known.has(a.role) || a.role.startsWith('custom '), `${a.resource.file.name} ${a.resource.symbol}: role ${a.role}`);
  });

  it('gives the engine\'s identity exactly its data roles, each on the one resource or queue it is about', () => {
    const engine = `${appIdentityModule()}.outputs.principalId`;
    assert.deepEqual(grants(engine).filter((g) => !g.startsWith('custom ')), [
      'monitoringMetricsPublisher on Microsoft.Insights/components',
      ...engineReceives.map((q) => `serviceBusDataReceiver on Microsoft.ServiceBus/namespaces/queues ${q}`),
      ...engineSends.map((q) => `serviceBusDataSender on Microsoft.ServiceBus/namespaces/queues ${q}`),
      'storageBlobDataOwner on Microsoft.Storage/storageAccounts',
      'storageTableDataContributor on Microsoft.Storage/storageAccounts',
    ].sort());
  });

  it('holds no Service Bus data role on a whole namespace, and the engine none on the forwarder\'s k8s-actions but Sender', () => {
    for (const a of all.filter((x) => x.role.startsWith('serviceBus'))) {
      assert.equal(a.scopeType, 'Microsoft.ServiceBus/namespaces/queues', `${a.resource.file.name} ${a.resource.symbol}: ${a.role} on ${a.scopeType}`);
    }
    const engine = `${appIdentityModule()}.outputs.principalId`;
    assert.deepEqual(all.filter((a) => a.principal === engine && a.scopeName === ACTIONS_QUEUE).map((a) => a.role), ['serviceBusDataSender']);
  });

  it('finds the queues the engine uses in the code itself: its triggers, and the messages it builds', () => {
    assert.ok(engineReceives.includes(ENGINE_QUEUE) && !engineReceives.includes(ACTIONS_QUEUE), `triggers: ${engineReceives.join(', ')}`);
    assert.ok(engineSends.includes(ACTIONS_QUEUE), `sends: ${engineSends.join(', ')}`);
  });

  it('grants no Network Contributor anywhere, nor mentions its id', () => {
    assert.deepEqual(all.filter((a) => a.role === 'networkContributor').map((a) => `${a.resource.file.name} ${a.resource.symbol}`), []);
    for (const f of project.files) {
      const mentions = [...walk(f.root)].filter((n) => n.type === 'string' && stringLiteral(n) === NETWORK_CONTRIBUTOR);
      assert.equal(mentions.length, 0, `${f.name} mentions Network Contributor`);
    }
  });

  for (const [scope, module] of [['clusterResourceGroup', 'networkRole'], ['virtualNetwork', 'vnetRole']] as const) {
    it(`defines the ${scope} custom role with exactly the actions the network adapter calls there (actionsAt('${scope}'))`, () => {
      const definition = customRole(module);
      const properties = project.instances(definition)[0]?.properties ?? null;
      assert.ok(isBicepObject(properties));
      assert.equal(properties.type, 'CustomRole');
      const [permissions, ...more] = Array.isArray(properties.permissions) ? (properties.permissions as readonly BicepValue[]) : [];
      assert.equal(more.length, 0, 'one permission block');
      assert.ok(isBicepObject(permissions ?? null));
      const { actions, notActions, dataActions } = permissions as { readonly [key: string]: BicepValue };
      assert.deepEqual(actions, actionsAt(scope), 'the actions, sorted as the table sorts them');
      assert.ok((actions as readonly BicepValue[]).every((x) => typeof x === 'string' && !x.includes('*')), 'no wildcard');
      assert.deepEqual(notActions, []);
      assert.equal(dataActions, undefined, 'no data actions');
      // Assignable only in the resource group the module is deployed to.
      const scopes = propertyAt(definition.body.object, 'properties', 'assignableScopes')?.namedChildren ?? [];
      assert.deepEqual(scopes.map((n) => varsOf(definition.file).find((v) => v.name === n.text)?.value?.text ?? n.text), ['resourceGroup().id']);
    });
  }

  it('assigns the cluster role to the engine on the deployment scope of a module deployed once, into the cluster\'s resource group in the NRP subscription', () => {
    const [a, ...more] = all.filter((x) => x.role === 'custom networkRole');
    assert.ok(a);
    assert.equal(more.length, 0);
    assert.equal(a.principal, `${appIdentityModule()}.outputs.principalId`);
    assert.equal(a.scopeType, 'resourceGroup', 'no scope: it takes the module\'s resource group');
    const group = deployedInto(a.resource.file);
    assert.equal(group.text, 'clusterResourceGroup');
    assert.ok(paramsOf(main).some((p) => p.name === 'clusterResourceGroup'), 'clusterResourceGroup is a parameter');
  });

  it('assigns the VNet role to the engine on the one VNet the code names, in the resource group the code looks in', () => {
    const [a, ...more] = all.filter((x) => x.role === 'custom vnetRole');
    assert.ok(a);
    assert.equal(more.length, 0);
    assert.equal(a.principal, `${appIdentityModule()}.outputs.principalId`);
    assert.equal(a.scopeType, 'Microsoft.Network/virtualNetworks');
    const scope = resourcesOf(a.resource.file).find((r) => r.symbol === propertyAt(a.resource.body.object, 'scope')?.text);
    assert.ok(scope?.existing, 'an existing VNet');
    const [caller] = project.callersOf(a.resource.file);
    assert.equal(propertyAt(scope.body.object, 'name')?.text, 'vnetName');
    assert.equal(propertyAt(caller?.body.object ?? null, 'params', 'vnetName')?.text, 'vnetName', 'the VNet main.bicep is given');
    // The Function App's AZURE_VNET_* settings come from the same expressions (serviceRequests.ts virtualNetworkId).
    const app = modulesOf(main).find((m) => m.path === './modules/functionApp.bicep');
    assert.equal(deployedInto(a.resource.file).text, propertyAt(app?.body.object ?? null, 'params', 'vnetResourceGroup')?.text);
    assert.equal(propertyAt(app?.body.object ?? null, 'params', 'vnetName')?.text, 'vnetName');
  });

  it('lets no other identity hold a custom role', () => {
    const engine = `${appIdentityModule()}.outputs.principalId`;
    assert.deepEqual(all.filter((a) => a.role.startsWith('custom ') && a.principal !== engine), []);
    assert.deepEqual(project.resources().filter((r) => r.type === 'Microsoft.Authorization/roleDefinitions').map((r) => r.symbol).sort(), ['networkRole', 'vnetRole']);
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
