// Property: whatever a World's engine hears and emits in a random small scenario (long names,
// failures, re-reads and time included) maps to messages that are sendable and parse back to
// equal values.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { MAX_ID_CHARS } from '../../../shared/messages/bounds.ts';
import { SESSION_QUEUES } from '../../../shared/messages/outgoing.ts';
import { parseEngineMessage, parseMessage } from '../../../shared/messages/parseMessage.ts';
import { toEngineEventMessage } from '../../../shared/messages/toEngineEventMessage.ts';
import { toOutgoingMessages } from '../../../shared/messages/toOutgoingMessages.ts';
import { node, pod, seededRandom, service, slice, uidOf } from '../../support/builders.ts';
import { World } from '../../support/world.ts';
import { CLUSTER, TRACEPARENT } from './busyWorld.ts';
import { commandOf } from './commandOf.ts';

const RUNS = Number(process.env.MESSAGES_PROPERTY_RUNS ?? 150);
const SEED = Number(process.env.MESSAGES_PROPERTY_SEED ?? (process.env.CI ? 20_260_101 : Date.now() % 2 ** 31));

const NAMESPACES = ['default', 'n'.repeat(63)];
const SERVICES = ['web', `s${'x'.repeat(252)}`];
const NODES: Record<string, string[]> = { 'node-a': ['10.0.0.4'], 'node-b': ['10.0.0.5', 'fd00::5'] };
const NODE_NAMES = Object.keys(NODES);
// The longest valid egress identity (73), an invalid one, and none.
const IDENTITIES = ['team-a', `e${'x'.repeat(72)}`, 'Not Valid', null];

type Action =
  | { t: 'node'; idx: number }
  | { t: 'service'; svc: number; ns: number; lb: boolean }
  | { t: 'slice'; svc: number; ns: number; addrs: number[] }
  | { t: 'pod'; idx: number; ns: number; identity: number; node: number }
  | { t: 'remove'; kind: 'Service' | 'Pod' | 'Node' | 'EndpointSlice'; idx: number; ns: number }
  | { t: 'completeOp'; mode: 'success' | 'transient' | 'terminal' }
  | { t: 'completeSync'; mode: 'success' | 'failed' | 'unknown' }
  | { t: 'observe' }
  | { t: 'tick'; ms: number };

const actionArb: fc.Arbitrary<Action> = fc.oneof(
  fc.record({ t: fc.constant('node' as const), idx: fc.nat(NODE_NAMES.length - 1) }),
  fc.record({ t: fc.constant('service' as const), svc: fc.nat(SERVICES.length - 1), ns: fc.nat(NAMESPACES.length - 1), lb: fc.boolean() }),
  fc.record({ t: fc.constant('slice' as const), svc: fc.nat(SERVICES.length - 1), ns: fc.nat(NAMESPACES.length - 1), addrs: fc.array(fc.nat(5), { maxLength: 3 }) }),
  fc.record({ t: fc.constant('pod' as const), idx: fc.nat(2), ns: fc.nat(NAMESPACES.length - 1), identity: fc.nat(IDENTITIES.length - 1), node: fc.nat(NODE_NAMES.length - 1) }),
  fc.record({ t: fc.constant('remove' as const), kind: fc.constantFrom('Service' as const, 'Pod' as const, 'Node' as const, 'EndpointSlice' as const), idx: fc.nat(2), ns: fc.nat(NAMESPACES.length - 1) }),
  fc.record({ t: fc.constant('completeOp' as const), mode: fc.constantFrom('success' as const, 'success' as const, 'transient' as const, 'terminal' as const) }),
  fc.record({ t: fc.constant('completeSync' as const), mode: fc.constantFrom('success' as const, 'failed' as const, 'unknown' as const) }),
  fc.constant({ t: 'observe' as const }),
  fc.record({ t: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: 120_000 }) }),
);

function pick<T>(list: readonly T[], i: number): T {
  const v = list[i % list.length];
  if (v === undefined) throw new Error('empty list');
  return v;
}

function run(w: World, actions: readonly Action[]): void {
  for (const a of actions) {
    switch (a.t) {
      case 'node': {
        const name = pick(NODE_NAMES, a.idx);
        w.apply({ kind: 'Node', fact: node(name, NODES[name] ?? []) });
        break;
      }
      case 'service': {
        const name = pick(SERVICES, a.svc);
        w.apply({ kind: 'Service', fact: service(name, { namespace: pick(NAMESPACES, a.ns), type: a.lb ? 'LoadBalancer' : 'ClusterIP' }) });
        break;
      }
      case 'slice': {
        const name = pick(SERVICES, a.svc);
        const endpoints = a.addrs.map((n) => ({ ip: `10.244.0.${n + 1}`, node: pick(NODE_NAMES, n) }));
        w.apply({ kind: 'EndpointSlice', fact: slice(`${name.slice(0, 240)}-v4`, uidOf(name), endpoints, { namespace: pick(NAMESPACES, a.ns) }) });
        break;
      }
      case 'pod': {
        const nodeName = pick(NODE_NAMES, a.node);
        const hostIPs = NODES[nodeName] ?? [];
        const podIPs = hostIPs.length > 1 ? [`10.244.1.${a.idx + 1}`, `fd00:244::${a.idx + 1}`] : [`10.244.1.${a.idx + 1}`];
        w.apply({ kind: 'Pod', fact: pod(`pod-${a.idx}-${'p'.repeat(200)}`, pick(IDENTITIES, a.identity), { namespace: pick(NAMESPACES, a.ns), nodeName, hostIPs, podIPs }) });
        break;
      }
      case 'remove': {
        const ns = pick(NAMESPACES, a.ns);
        if (a.kind === 'Node') w.remove('Node', pick(NODE_NAMES, a.idx));
        else if (a.kind === 'Service') w.remove('Service', pick(SERVICES, a.idx), ns);
        else if (a.kind === 'EndpointSlice') w.remove('EndpointSlice', `${pick(SERVICES, a.idx).slice(0, 240)}-v4`, ns);
        else w.remove('Pod', `pod-${a.idx}-${'p'.repeat(200)}`, ns);
        break;
      }
      case 'completeOp': {
        const id = w.pendingOps.keys().next();
        if (!id.done) w.completeOp(id.value, a.mode);
        break;
      }
      case 'completeSync':
        if (a.mode === 'success') w.completeSync();
        else if (a.mode === 'failed') w.completeSync({ failAt: 0 });
        else w.completeSync({ failAt: 0, outcomeUnknown: true, unknownApplied: true });
        break;
      case 'observe':
        w.observeNrp();
        break;
      case 'tick':
        w.advance(a.ms);
        break;
    }
  }
}

describe('messages of a random World', () => {
  it(`are sendable and parse back to equal commands and events (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(fc.array(actionArb, { minLength: 1, maxLength: 25 }), fc.integer(), fc.boolean(), (actions, seed, settle) => {
        const w = new World({ random: seededRandom(seed) });
        run(w, actions);
        if (settle) w.settle();
        const ctx = { now: w.now, traceparent: TRACEPARENT };

        const messages = toOutgoingMessages(CLUSTER, w.commands, ctx);
        assert.equal(new Set(messages.map((m) => `${m.queue} ${m.messageId}`)).size, messages.length, 'ids are unique within a batch');
        for (const m of messages) {
          assert.ok(m.messageId.length <= MAX_ID_CHARS, m.messageId);
          assert.equal(m.sessionId, SESSION_QUEUES.has(m.queue) ? CLUSTER : undefined);
          const parsed = parseMessage(m.queue, JSON.stringify(m.body));
          if (!parsed.ok) assert.fail(parsed.reason);
          assert.deepEqual(parsed.value, m.body);
        }
        // Mapped one by one, each command comes back as itself (a sync without its requests).
        for (const command of w.commands) {
          const [m] = toOutgoingMessages(CLUSTER, [command], ctx);
          if (!m) assert.fail(`no message for ${command.kind}`);
          const parsed = parseMessage(m.queue, Buffer.from(JSON.stringify(m.body)));
          if (!parsed.ok) assert.fail(parsed.reason);
          assert.deepEqual(commandOf(m, parsed.value), command.kind === 'SyncLocations' ? { ...command, sync: { ...command.sync, requests: [] } } : command);
        }
        for (const event of w.history) {
          const m = toEngineEventMessage(CLUSTER, event, ctx);
          assert.ok(m.messageId.length <= MAX_ID_CHARS, m.messageId);
          const parsed = parseEngineMessage(JSON.stringify(m.body));
          if (!parsed.ok) assert.fail(parsed.reason);
          assert.deepEqual(parsed.value.event, event);
        }
      }),
      { numRuns: RUNS, seed: SEED, includeErrorInReport: true },
    );
  });
});
