// Observations are bounded per decision: however many items of one object are refused, one
// summarised observation (and so one log line) per object and reason, with a count and a few examples.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { node, service, slice } from '../../support/builders.ts';
import { World } from '../../support/world.ts';

/** node-a and the Service web; `mark` is where the observations of what follows start. */
function webOnNodeA(): { w: World; svc: ReturnType<typeof service>; mark: number } {
  const w = new World();
  w.apply({ kind: 'Node', fact: node('node-a', ['10.0.0.4']) });
  const svc = service('web');
  w.apply({ kind: 'Service', fact: svc });
  return { w, svc, mark: w.observations.length };
}

describe('rejections summarised per decision', () => {
  it('a slice of 1,000 endpoints on an unknown node is one observation counting 1,000', () => {
    const { w, svc, mark } = webOnNodeA();
    const endpoints = Array.from({ length: 1000 }, (_, i) => ({ ip: `10.244.${i >> 8}.${i & 255}`, node: 'node-gone' }));
    w.apply({ kind: 'EndpointSlice', fact: slice('web-1', svc.uid, endpoints) });
    const rejected = w.observations.slice(mark).filter((o) => o.kind === 'InputRejected');
    assert.equal(rejected.length, 1);
    const [only] = rejected;
    assert.ok(only?.kind === 'InputRejected');
    assert.equal(only.reason, 'UnknownNode');
    assert.equal(only.key, 'default/web-1');
    assert.equal(only.count, 1000);
    assert.equal(only.examples.length, 5); // MAX_REJECTION_EXAMPLES
    assert.match(only.examples[0] ?? '', /10\.244\.0\.0 is on unknown node node-gone/);
  });

  it('keeps one observation per reason: a count for each', () => {
    const { w, svc, mark } = webOnNodeA();
    const endpoints = [
      ...Array.from({ length: 7 }, (_, i) => ({ ip: `10.244.1.${i}`, node: null })),
      ...Array.from({ length: 3 }, (_, i) => ({ ip: `10.244.2.${i}`, node: 'node-gone' })),
    ];
    w.apply({ kind: 'EndpointSlice', fact: slice('web-1', svc.uid, endpoints) });
    const counts = w.observations.slice(mark).flatMap((o) => (o.kind === 'InputRejected' ? [[o.reason, o.count, o.examples.length]] : []));
    assert.deepEqual(counts, [['NoNodeName', 7, 5], ['UnknownNode', 3, 3]]);
  });
});
