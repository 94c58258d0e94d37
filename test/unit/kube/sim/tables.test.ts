// Table output: the real HumanDuration and the printer columns per kind.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resourceOfKind } from '../../../../local/sim/kube/resources.ts';
import { humanDuration, toTable } from '../../../../local/sim/kube/tables.ts';

describe('humanDuration', () => {
  const cases: [number, string][] = [
    [-5_000, '<invalid>'], [-500, '0s'], [0, '0s'], [119_000, '119s'], [150_000, '2m30s'], [600_000, '10m'],
    [3 * 3600_000 + 60_000, '3h1m'], [9 * 3600_000, '9h'], [50 * 3600_000, '2d2h'], [10 * 86_400_000, '10d'], [3 * 365 * 86_400_000, '3y'],
  ];
  for (const [ms, want] of cases) it(`shows ${ms} ms as ${want}`, () => assert.equal(humanDuration(ms), want));
});

describe('toTable', () => {
  const now = Date.parse('2026-01-01T01:00:00Z');
  const opts = { version: 'v1' as const, includeObject: 'Metadata' as const, now };

  it('renders a Pod as Name, Ready, Status, Restarts, Age, IP and Node', () => {
    const table = toTable(resourceOfKind('Pod'), [{
      metadata: { name: 'p', creationTimestamp: '2026-01-01T00:00:00Z' },
      spec: { containers: [{ name: 'a' }, { name: 'b' }], nodeName: 'node-a' },
      status: { phase: 'Running', podIP: '10.244.0.5', containerStatuses: [{ ready: true, restartCount: 2 }, { ready: false, restartCount: 1 }] },
    }], { resourceVersion: '7' }, opts);
    assert.deepEqual((table['rows'] as { cells: unknown[] }[])[0]?.cells, ['p', '1/2', 'Running', '3', '60m', '10.244.0.5', 'node-a']);
    assert.deepEqual(table['metadata'], { resourceVersion: '7' });
  });

  it('renders a Node with its Ready condition and internal IP', () => {
    const table = toTable(resourceOfKind('Node'), [{
      metadata: { name: 'n', creationTimestamp: '2026-01-01T00:59:00Z', labels: { 'node-role.kubernetes.io/agent': '' } },
      spec: { unschedulable: true },
      status: { conditions: [{ type: 'Ready', status: 'True' }], addresses: [{ type: 'InternalIP', address: '10.224.0.4' }], nodeInfo: { kubeletVersion: 'v1.32.4' } },
    }], { resourceVersion: '1' }, opts);
    assert.deepEqual((table['rows'] as { cells: unknown[] }[])[0]?.cells, ['n', 'Ready,SchedulingDisabled', 'agent', '60s', 'v1.32.4', '10.224.0.4', '<none>']);
  });

  it('renders an EndpointSlice with at most three endpoints and a count of the rest', () => {
    const table = toTable(resourceOfKind('EndpointSlice'), [{
      metadata: { name: 's', creationTimestamp: '2026-01-01T00:00:00Z' }, addressType: 'IPv4', ports: [{ port: 80 }, { name: 'x' }],
      endpoints: ['1.1.1.1', '1.1.1.2', '1.1.1.3', '1.1.1.4', '1.1.1.5'].map((a) => ({ addresses: [a] })),
    }], { resourceVersion: '1' }, { ...opts, includeObject: 'None' });
    const row = (table['rows'] as Record<string, unknown>[])[0];
    assert.deepEqual(row?.['cells'], ['s', 'IPv4', '80,x', '1.1.1.1,1.1.1.2,1.1.1.3 + 2 more...', '60m']);
    assert.equal(row?.['object'], undefined, 'includeObject=None embeds nothing');
  });

  it('renders an Event with its object as kind/name', () => {
    const table = toTable(resourceOfKind('Event'), [{
      metadata: { name: 'e', creationTimestamp: '2026-01-01T00:00:00Z' }, lastTimestamp: '2026-01-01T00:58:00Z',
      type: 'Warning', reason: 'SyncFailed', message: 'boom', involvedObject: { kind: 'Service', name: 'web' }, count: 3,
    }], { resourceVersion: '1' }, opts);
    assert.deepEqual((table['rows'] as { cells: unknown[] }[])[0]?.cells, ['2m', 'Warning', 'SyncFailed', 'service/web', 'boom', 3, 'e']);
  });
});
