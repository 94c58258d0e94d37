// The RBAC action table (shared/azure/armActions.ts) against the adapter's source: every call the
// adapter makes on the generated client has an entry, and every entry is a call it makes or a poll
// of one (the integration test test/integration/azure/armActions.test.ts checks the same against
// the requests really sent). Read with TypeScript's parser, so that a call split over lines is
// found as well.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { actionsAt, NRP_OPERATION_ACTIONS } from '../../../shared/azure/armActions.ts';

const ADAPTER = fileURLToPath(new URL('../../../shared/azure/armNetworkProvider.ts', import.meta.url));

/** The polls of a long-running PUT or DELETE, and of a POST that NRP accepted with 202. */
const POLLS = ['operations.get', 'operationResults.get'];

/** `group.method` of every `this.client.group.method(...)` in the adapter, as nrpOperation.ts names it. */
function clientCalls(): string[] {
  const file = ts.createSourceFile(ADAPTER, readFileSync(ADAPTER, 'utf8'), ts.ScriptTarget.Latest, true);
  const calls = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
      const method = node.expression.name.text;
      const group = node.expression.expression;
      if (ts.isPropertyAccessExpression(group) && group.expression.getText() === 'this.client') {
        // nrpOperation.ts names the Service Gateway's calls by method alone, as NRP's docs do.
        calls.add(group.name.text === 'serviceGateways' ? method : `${group.name.text}.${method}`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return [...calls].sort();
}

describe('the RBAC actions of the network adapter', () => {
  it('has an entry for every call the adapter makes on its client, and no entry but those and their polls', () => {
    const calls = clientCalls();
    assert.ok(calls.length >= 10, `found ${calls.length} calls: ${calls.join(', ')}`);
    assert.deepEqual(Object.keys(NRP_OPERATION_ACTIONS).sort(), [...calls, ...POLLS].sort());
  });

  it('gives every operation at least one action, each a well-formed Microsoft.Network action without wildcards', () => {
    for (const [operation, scoped] of Object.entries(NRP_OPERATION_ACTIONS)) {
      const all = [...(scoped.clusterResourceGroup ?? []), ...(scoped.virtualNetwork ?? [])];
      assert.ok(all.length > 0, `${operation} has actions`);
      for (const a of all) assert.match(a, /^Microsoft\.Network\/[A-Za-z]+(\/[A-Za-z]+)*\/(read|write|delete|action)$/, `${operation}: ${a}`);
    }
  });

  it('grants on the VNet only VNet actions, and in the cluster\'s resource group none on a VNet', () => {
    assert.ok(actionsAt('virtualNetwork').every((a) => a.startsWith('Microsoft.Network/virtualNetworks/')));
    assert.ok(actionsAt('clusterResourceGroup').every((a) => !a.startsWith('Microsoft.Network/virtualNetworks/')));
  });
});
