// The default write bucket against the shape of a creation wave: the engine's service operations
// run in lock step (10 at a time), each a public IP create, a 20 s load balancer create and a
// registration, and the next round starts as a round ends. The sustained rate covers that; the
// bucket must also hold what a round takes at once, or every round waits for tokens it could not keep.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_BUDGETS } from '../../../shared/azure/throttleDefaults.ts';
import { TokenBucket } from '../../../shared/azure/tokenBucket.ts';
import { defaultEngineConfig } from '../../../shared/engine/config.ts';

const WRITE_MS = 200;
const LB_CREATE_MS = 20_000;

/** Runs `rounds` lock-step rounds of creations through the default write bucket; the ms spent waiting for tokens. */
function tokenWaitOfWave(rounds: number): number {
  const bucket = TokenBucket.forBudget(DEFAULT_BUDGETS.write, 0);
  const perRound = defaultEngineConfig.maxConcurrentOperations;
  let now = 0;
  let waited = 0;
  // Each write of a round is reserved in call order; the round's writes of one kind go out together.
  const writeAll = (ms: number): void => {
    let latest = 0;
    for (let i = 0; i < perRound; i++) latest = Math.max(latest, bucket.reserve(now));
    waited += latest;
    now += latest + ms;
  };
  for (let r = 0; r < rounds; r++) {
    writeAll(WRITE_MS); // public IPs
    writeAll(LB_CREATE_MS); // load balancers
    writeAll(WRITE_MS); // registrations (updateServices)
  }
  return waited;
}

describe('the default write budget', () => {
  it('lets a creation wave of lock-step rounds run without waiting for tokens', () => {
    assert.equal(tokenWaitOfWave(20), 0);
  });

  it('still paces a sustained excess: twice the rate waits', () => {
    const bucket = TokenBucket.forBudget(DEFAULT_BUDGETS.write, 0);
    const perSecond = (DEFAULT_BUDGETS.write.limit * DEFAULT_BUDGETS.write.share * 1_000) / DEFAULT_BUDGETS.write.windowMs;
    let waits = 0;
    for (let t = 0; t < 60_000; t += 1_000 / (2 * perSecond)) waits += bucket.reserve(t) > 0 ? 1 : 0;
    assert.ok(waits > 0, 'a bucket that never made anyone wait would not be a budget');
  });
});
