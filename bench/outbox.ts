// The forwarder's outbox under a backlog (npm run bench:outbox [-- --queued N --puts N]): the cost
// of one put of a new object, and of a newer state of a queued one, with `queued` objects (default
// 10,000) already waiting, as while Service Bus is away; `puts` (default 2,000) per timed round, best
// of five. Measures only; asserts nothing.
import { parseArgs } from 'node:util';
import type { QueuedChange } from '../forwarder/changeQueue.ts';
import { ChangeQueue } from '../forwarder/changeQueue.ts';

const { values } = parseArgs({ options: { queued: { type: 'string', default: '10000' }, puts: { type: 'string', default: '2000' } } });
const QUEUED = Number(values.queued);
const PUTS = Number(values.puts);

function change(n: number, rv: number): QueuedChange {
  const body = { v: 1, cluster: 'bench', event: { kind: 'PodUpserted', name: `p${n}`, rv } };
  return { key: `Pod/bench/p${n}/u${n}`, objectKind: 'Pod', marker: false, resourceVersion: String(rv), bytes: 600, message: { queue: 'engine-events', body, messageId: `p${n}@${rv}`, sessionId: 'bench' } };
}

/** Nanoseconds per put of `make(i)`, the queue refilled to `QUEUED` objects before each round. */
function nsPerPut(make: (i: number) => QueuedChange, rounds = 5): number {
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    const q = new ChangeQueue({ maxObjects: QUEUED + PUTS + 1, maxBytes: 2 ** 40 });
    for (let i = 0; i < QUEUED; i++) q.put(change(i, 1));
    const changes = Array.from({ length: PUTS }, (_, i) => make(i));
    const started = process.hrtime.bigint();
    for (const c of changes) q.put(c);
    best = Math.min(best, Number(process.hrtime.bigint() - started) / PUTS);
  }
  return Math.round(best);
}

const result = {
  queued: QUEUED,
  puts: PUTS,
  newObjectNsPerPut: nsPerPut((i) => change(QUEUED + i, 1)),
  newerStateNsPerPut: nsPerPut((i) => change(i % QUEUED, 2 + i)),
};
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
