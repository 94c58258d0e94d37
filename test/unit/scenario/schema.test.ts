// The scenario file format (shared/scenarios/README.md): the examples parse, and each kind of bad
// input is refused with a reason that names the JSON path, as `simulate` prints it before exit 2.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseScenario } from '../../../local/scenario/schema.ts';
import type { ParseResult, Scenario } from '../../../local/scenario/schema.ts';

const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), 'utf8');

function ok(r: ParseResult): Scenario {
  if (!r.ok) assert.fail(`expected the scenario to parse, got: ${r.reason}`);
  return r.scenario;
}

function reason(input: unknown): string {
  const r = parseScenario(JSON.stringify(input));
  if (r.ok) assert.fail(`expected a refusal, got ${JSON.stringify(r.scenario)}`);
  return r.reason;
}

const base = { name: 'x', cluster: { name: 'demo' } };
const withSteps = (...steps: unknown[]): unknown => ({ ...base, steps });
const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-a' } };

describe('parseScenario', () => {
  it('parses the basic-inbound example with its steps in order', () => {
    const s = ok(parseScenario(fixture('basic-inbound')));
    assert.equal(s.name, 'basic-inbound');
    assert.equal(s.cluster.name, 'demo');
    assert.deepEqual(s.steps.map((st) => st.op), ['apply', 'apply', 'apply', 'apply', 'settle', 'snapshot', 'apply', 'settle', 'snapshot', 'delete', 'delete']);
  });

  it('parses the delete-during-create example with its NRP fault', () => {
    const s = ok(parseScenario(fixture('delete-during-create')));
    const fault = s.steps.find((st) => st.op === 'fault');
    assert.deepEqual(fault, { op: 'fault', fault: { target: 'nrp', operation: 'loadBalancers.createOrUpdate', status: 500, times: 1 } });
  });

  it('parses the egress-lifecycle example and keeps the objects as written', () => {
    const s = ok(parseScenario(fixture('egress-lifecycle')));
    const pod = s.steps[1];
    assert.equal(pod?.op, 'apply');
    if (pod?.op === 'apply') assert.deepEqual((pod.object['status'] as { podIP: string }).podIP, '10.244.0.21');
  });

  it('defaults timeoutMs to 60000 and a fault to one failure', () => {
    const s = ok(parseScenario(JSON.stringify(withSteps({ op: 'fault', fault: { target: 'tables', status: 503 } }))));
    assert.equal(s.timeoutMs, 60_000);
    assert.deepEqual(s.steps[0], { op: 'fault', fault: { target: 'tables', status: 503, times: 1 } });
  });

  it('accepts a bus fault without a status, and a kube fault narrowed by verb and resource', () => {
    ok(parseScenario(JSON.stringify(withSteps(
      { op: 'fault', fault: { target: 'bus', times: 2 } },
      { op: 'fault', fault: { target: 'kube', verb: 'patch', resource: 'services/status', status: 409, times: 1 } },
    ))));
  });

  it('accepts a slow NRP call (latency without a status), as the project scenarios use', () => {
    const s = ok(parseScenario(JSON.stringify(withSteps({ op: 'fault', fault: { target: 'nrp', operation: 'loadBalancers.delete', latencyMs: 2000 } }))));
    assert.deepEqual(s.steps[0], { op: 'fault', fault: { target: 'nrp', operation: 'loadBalancers.delete', latencyMs: 2000, times: 1 } });
  });

  it('accepts the ARM error code of an NRP fault', () => {
    const s = ok(parseScenario(JSON.stringify(withSteps({ op: 'fault', fault: { target: 'nrp', operation: 'natGateways.createOrUpdate', status: 400, code: 'InvalidResourceReference' } }))));
    assert.deepEqual(s.steps[0], { op: 'fault', fault: { target: 'nrp', operation: 'natGateways.createOrUpdate', status: 400, code: 'InvalidResourceReference', times: 1 } });
  });

  it('refuses text that is not JSON', () => {
    const r = parseScenario('{"name":');
    assert.equal(r.ok, false);
    if (!r.ok) assert.match(r.reason, /^not JSON: /);
  });

  const bad: [string, unknown, RegExp][] = [
    ['an unknown op', withSteps({ op: 'wait' }), /^steps\[0\]\.op: expected one of apply, delete, fault, restart, settle, snapshot, sleep, got "wait"$/],
    ['a step without op', withSteps({ op: 'settle' }, { ms: 3 }), /^steps\[1\]\.op: missing \(expected one of apply, /],
    ['a missing top-level field', { name: 'x', steps: [] }, /^cluster: missing$/],
    ['an empty name', { ...base, name: '', steps: [] }, /^name: must not be empty/],
    ['steps that are not a list', { ...base, steps: {} }, /^steps: expected array/],
    ['a timeout that is not a number', { ...base, timeoutMs: '5s', steps: [] }, /^timeoutMs: expected number, got "5s"$/],
    ['an unknown field', withSteps({ op: 'sleep', ms: 10, seconds: 1 }), /^steps\[0\]\.seconds: unknown field$/],
    ['a negative sleep', withSteps({ op: 'sleep', ms: -1 }), /^steps\[0\]\.ms: expected a number >= 0, got -1$/],
    ['a fractional sleep', withSteps({ op: 'sleep', ms: 1.5 }), /^steps\[0\]\.ms: expected a whole number, got 1\.5$/],
    ['a kind the runner does not apply', withSteps({ op: 'apply', object: { ...node, kind: 'Secret' } }), /^steps\[0\]\.object\.kind: expected one of Node, Service, Pod, Namespace, EndpointSlice, got "Secret"$/],
    ['a kind with the wrong apiVersion', withSteps({ op: 'apply', object: { ...node, kind: 'EndpointSlice' } }), /^steps\[0\]\.object\.apiVersion: expected "discovery\.k8s\.io\/v1" for kind EndpointSlice$/],
    ['an object without a name', withSteps({ op: 'apply', object: { ...node, metadata: {} } }), /^steps\[0\]\.object\.metadata\.name: missing$/],
    ['a delete naming more than the object', withSteps({ op: 'delete', object: { kind: 'Pod', metadata: { name: 'p', labels: {} } } }), /^steps\[0\]\.object\.metadata\.labels: unknown field$/],
    ['an unknown fault target', withSteps({ op: 'fault', fault: { target: 'dns', status: 500 } }), /^steps\[0\]\.fault\.target: expected one of nrp, tables, bus, kube, got "dns"$/],
    ['a fault status that is neither a number nor timeout', withSteps({ op: 'fault', fault: { target: 'nrp', status: 'slow' } }), /^steps\[0\]\.fault\.status: expected an HTTP status 400-599 or "timeout", got "slow"$/],
    ['a fault without a status', withSteps({ op: 'fault', fault: { target: 'nrp' } }), /^steps\[0\]\.fault\.status: missing$/],
    ['a timeout on the Kubernetes API', withSteps({ op: 'fault', fault: { target: 'kube', status: 'timeout' } }), /^steps\[0\]\.fault\.status: "timeout" is not supported for target kube$/],
    ['an NRP operation on a kube fault', withSteps({ op: 'fault', fault: { target: 'kube', status: 500, operation: 'updateServices' } }), /^steps\[0\]\.fault\.operation: only for target nrp$/],
    ['a latency on a fault that is not NRP', withSteps({ op: 'fault', fault: { target: 'tables', status: 503, latencyMs: 10 } }), /^steps\[0\]\.fault\.latencyMs: only for target nrp$/],
    ['an ARM code on a fault that is not NRP', withSteps({ op: 'fault', fault: { target: 'kube', status: 400, code: 'BadRequest' } }), /^steps\[0\]\.fault\.code: only for target nrp$/],
    ['a fault that fails zero times', withSteps({ op: 'fault', fault: { target: 'bus', times: 0 } }), /^steps\[0\]\.fault\.times: expected a number >= 1, got 0$/],
    ['an unknown component', withSteps({ op: 'restart', component: 'azurite' }), /^steps\[0\]\.component: expected one of functions, forwarder, all, got "azurite"$/],
    ['two snapshots of one name', withSteps({ op: 'snapshot', name: 'a' }, { op: 'settle' }, { op: 'snapshot', name: 'a' }), /^steps\[2\]\.name: duplicate snapshot name "a"$/],
  ];
  for (const [what, input, want] of bad) {
    it(`refuses ${what}, naming the path`, () => {
      assert.match(reason(input), want);
    });
  }

  it('lists several problems at once, separated by semicolons', () => {
    const r = reason({ name: 'x', cluster: {}, steps: [{ op: 'sleep' }] });
    assert.deepEqual(r.split('; '), ['cluster.name: missing', 'steps[0].ms: missing']);
  });
});
