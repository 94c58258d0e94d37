// infra/*.bicep read through tree-sitter-bicep (no Bicep compiler runs here, ADR 0007): every file
// parses, every resource type is pinned to a dated API version, the modules fit together, nothing
// secret leaves a deployment, local authentication is off, and azure.yaml deploys the app.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadYaml } from '@kubernetes/client-node';
import {
  BicepProject, calledName, isBicepObject, outputsOf, paramsOf, parseBicep, propertyAt, propertyKey, syntaxErrors, targetScopeOf, textOf, walk,
} from '../../support/bicep.ts';
import type { BicepValue, ResourceDeclaration } from '../../support/bicep.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const project = BicepProject.load(join(ROOT, 'infra'), ROOT);

function declared(type: string): ResourceDeclaration[] {
  const found = project.resources().filter((r) => r.type === type && !r.existing);
  assert.ok(found.length > 0, `some file declares a ${type}`);
  return found;
}

/** `properties.<key>` of every instance of every declared resource of `type`. */
function settingsOf(type: string, key: string): BicepValue[] {
  return declared(type).flatMap((r) => project.instances(r)).map((i) => {
    const properties = i.properties ?? null;
    return isBicepObject(properties) ? (properties[key] ?? null) : null;
  });
}

describe('infra Bicep syntax', () => {
  it('finds main.bicep and its modules', () => {
    const names = project.files.map((f) => f.name);
    assert.ok(names.includes('infra/main.bicep'), `infra/main.bicep among ${names.join(', ')}`);
    assert.ok(names.filter((n) => n.startsWith('infra/modules/')).length >= 8, `modules under infra/modules: ${names.join(', ')}`);
  });

  it('parses every .bicep file under infra/ without a syntax error', () => {
    for (const f of project.files) assert.deepEqual(syntaxErrors(f.root), [], `${f.name} parses`);
  });

  it('finds a syntax error in every file cut off after its first brace, so the parser is live', () => {
    for (const f of project.files) {
      const cut = f.source.slice(0, f.source.indexOf('{') + 1);
      assert.ok(cut.length > 1, `${f.name} has a brace`);
      assert.notDeepEqual(syntaxErrors(parseBicep(cut)), [], `${f.name} cut after its first brace`);
    }
  });
});

describe('infra API versions', () => {
  it('pins every resource type to a dated API version, none of them a preview', () => {
    for (const r of project.resources()) {
      assert.match(r.type, /^Microsoft\.[A-Za-z]+(\/[A-Za-z]+)+$/, `${r.file.name} ${r.symbol}: a fully qualified resource type`);
      assert.match(r.apiVersion ?? '', /^\d{4}-\d{2}-\d{2}$/, `${r.file.name} ${r.symbol} (${r.type}): API version ${r.apiVersion ?? 'missing'}`);
    }
  });

  it('uses one API version per resource type across all files', () => {
    const versions = new Map<string, Set<string>>();
    for (const r of project.resources()) {
      const seen = versions.get(r.type) ?? new Set<string>();
      seen.add(r.apiVersion ?? '');
      versions.set(r.type, seen);
    }
    for (const [type, seen] of versions) assert.equal(seen.size, 1, `${type} at ${[...seen].join(' and ')}`);
  });
});

describe('infra resources', () => {
  const expected = [
    'Microsoft.Resources/resourceGroups',
    'Microsoft.ManagedIdentity/userAssignedIdentities',
    'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials',
    'Microsoft.Storage/storageAccounts',
    'Microsoft.Storage/storageAccounts/blobServices',
    'Microsoft.Storage/storageAccounts/blobServices/containers',
    'Microsoft.Storage/storageAccounts/tableServices',
    'Microsoft.Storage/storageAccounts/tableServices/tables',
    'Microsoft.ServiceBus/namespaces',
    'Microsoft.ServiceBus/namespaces/queues',
    'Microsoft.OperationalInsights/workspaces',
    'Microsoft.Insights/components',
    'Microsoft.Web/serverfarms',
    'Microsoft.Web/sites',
    'Microsoft.Web/sites/config',
    'Microsoft.Authorization/roleAssignments',
    'Microsoft.Insights/workbooks',
  ];

  for (const type of expected) {
    it(`declares a ${type}`, () => {
      declared(type);
    });
  }

  it('deploys main.bicep at subscription scope, creating the resource group as the azd templates do', () => {
    const main = project.file('infra/main.bicep');
    assert.equal(targetScopeOf(main), 'subscription');
    assert.ok(declared('Microsoft.Resources/resourceGroups').some((r) => r.file === main));
  });
});

describe('infra module wiring', () => {
  it('deploys only local modules, and each of them exists', () => {
    for (const m of project.modules()) {
      assert.ok(m.target, `${m.file.name} ${m.symbol}: ${m.path} is a local file`);
      assert.ok(project.targetOf(m), `${m.file.name} ${m.symbol}: ${m.path} exists under infra/`);
    }
  });

  it('passes each module only parameters it declares, and every parameter it declares without a default', () => {
    for (const m of project.modules()) {
      const target = project.targetOf(m);
      assert.ok(target);
      const params = paramsOf(target);
      const passed = (propertyAt(m.body.object, 'params')?.namedChildren ?? []).filter((p) => p.type === 'object_property').map(propertyKey);
      for (const name of passed) assert.ok(params.some((p) => p.name === name), `${m.file.name} ${m.symbol} passes ${name ?? '?'}, which ${target.name} declares`);
      for (const p of params.filter((x) => !x.defaultValue)) assert.ok(passed.includes(p.name), `${m.file.name} ${m.symbol} passes ${p.name}, required by ${target.name}`);
    }
  });

  it('reads only outputs the modules declare', () => {
    for (const f of project.files) {
      const modules = new Map(project.modules().filter((m) => m.file === f).map((m) => [m.symbol, m]));
      for (const n of walk(f.root)) {
        const outputs = n.type === 'member_expression' ? n.childForFieldName('object') : null;
        if (!outputs || outputs.type !== 'member_expression' || outputs.childForFieldName('property')?.text !== 'outputs') continue;
        const m = modules.get(outputs.childForFieldName('object')?.text ?? '');
        if (!m) continue;
        const target = project.targetOf(m);
        assert.ok(target);
        const name = n.childForFieldName('property')?.text ?? '';
        assert.ok(outputsOf(target).some((o) => o.name === name), `${f.name}: ${n.text} is an output of ${target.name}`);
      }
    }
  });
});

describe('infra secrets', () => {
  it('has no output marked @secure() or named like a key, secret, password, token or connection string', () => {
    for (const f of project.files) {
      for (const o of outputsOf(f)) {
        assert.ok(!o.decorators.includes('secure'), `${f.name}: output ${o.name} is not @secure()`);
        assert.doesNotMatch(o.name, /key|secret|password|token|connection_?string|sas/i, `${f.name}: output ${o.name}`);
      }
    }
  });

  it('takes no @secure() parameter, since nothing secret goes in either', () => {
    for (const f of project.files) for (const p of paramsOf(f)) assert.ok(!p.decorators.includes('secure'), `${f.name}: param ${p.name}`);
  });

  it('calls no list* function (listKeys, listConnectionStrings, listAccountSas and the like)', () => {
    for (const f of project.files) {
      for (const n of walk(f.root)) {
        if (n.type === 'call_expression') assert.doesNotMatch(calledName(n), /^list/i, `${f.name}:${n.startPosition.row + 1}: ${n.text.slice(0, 60)}`);
      }
    }
  });

  it('reads a ConnectionString property only into APPLICATIONINSIGHTS_CONNECTION_STRING', () => {
    let reads = 0;
    for (const f of project.files) {
      for (const n of walk(f.root)) {
        if (n.type !== 'member_expression' || !/connection_?string/i.test(n.childForFieldName('property')?.text ?? '')) continue;
        reads++;
        const owner = n.parent?.type === 'object_property' ? propertyKey(n.parent) : null;
        assert.equal(owner, 'APPLICATIONINSIGHTS_CONNECTION_STRING', `${f.name}:${n.startPosition.row + 1}: ${n.text}`);
      }
    }
    assert.equal(reads, 1, 'the Application Insights connection string is read once');
  });
});

describe('infra local authentication', () => {
  it('turns shared keys and anonymous blob access off on the storage account and requires TLS 1.2', () => {
    assert.deepEqual(settingsOf('Microsoft.Storage/storageAccounts', 'allowSharedKeyAccess'), [false]);
    assert.deepEqual(settingsOf('Microsoft.Storage/storageAccounts', 'allowBlobPublicAccess'), [false]);
    assert.deepEqual(settingsOf('Microsoft.Storage/storageAccounts', 'minimumTlsVersion'), ['TLS1_2']);
    assert.deepEqual(settingsOf('Microsoft.Storage/storageAccounts', 'supportsHttpsTrafficOnly'), [true]);
  });

  it('turns local (SAS key) authentication off on the Service Bus namespace, on a tier with sessions and duplicate detection', () => {
    assert.deepEqual(settingsOf('Microsoft.ServiceBus/namespaces', 'disableLocalAuth'), [true]);
    for (const r of declared('Microsoft.ServiceBus/namespaces')) {
      for (const i of project.instances(r)) {
        const sku = i.sku ?? null;
        assert.ok(isBicepObject(sku) && ['Standard', 'Premium'].includes(textOf(sku.name)), `${r.symbol}: sku ${JSON.stringify(sku)}`);
      }
    }
  });

  it('turns local authentication off on Application Insights, which keeps its data in the Log Analytics workspace', () => {
    assert.deepEqual(settingsOf('Microsoft.Insights/components', 'DisableLocalAuth'), [true]);
    const workspace = settingsOf('Microsoft.Insights/components', 'WorkspaceResourceId');
    assert.equal(workspace.length, 1);
    assert.ok(workspace[0] !== null && workspace[0] !== '', 'workspace-based');
  });
});

describe('azure.yaml', () => {
  const azure: unknown = loadYaml(readFileSync(join(ROOT, 'azure.yaml'), 'utf8'));
  const doc = isRecord(azure) ? azure : {};
  const services = isRecord(doc.services) ? doc.services : {};

  it('provisions infra/main.bicep with Bicep', () => {
    assert.deepEqual(doc.infra, { provider: 'bicep', path: 'infra', module: 'main' });
    assert.ok(existsSync(join(ROOT, 'infra', 'main.bicep')));
  });

  it('deploys one TypeScript function service from the repository root', () => {
    assert.equal(Object.keys(services).length, 1, `services: ${Object.keys(services).join(', ')}`);
    const [service] = Object.values(services);
    assert.ok(isRecord(service));
    assert.equal(service.host, 'function');
    assert.equal(service.project, '.');
    assert.ok(['ts', 'js'].includes(String(service.language)), `language ${String(service.language)}`);
  });

  it('names its service as the Function App\'s azd-service-name tag says, so azd finds the app', () => {
    const sites = declared('Microsoft.Web/sites').flatMap((r) => project.instances(r));
    assert.equal(sites.length, 1);
    const tags = sites[0]?.tags ?? null;
    assert.ok(isBicepObject(tags), `tags ${JSON.stringify(tags)}`);
    assert.deepEqual(Object.keys(services), [tags['azd-service-name']]);
  });
});

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
