// The creation wave's budget floor: the least time any paced controller needs for it, given the
// writes the wave's Services need (public IP, load balancer, registration; not location syncs)
// at the configured write rate, plus one load balancer create, which no pacing can overlap away.
// The wave's full convergence over this floor shows how much location syncs and scheduling cost
// the creations (issue 15: <= 1.15).
import { DEFAULT_BUDGETS } from '../../shared/azure/throttleDefaults.ts';
import type { Budget } from '../../shared/azure/throttleDefaults.ts';
import type { WorkloadFigures } from './workloadFigures.ts';

export interface WaveBudgetFloor {
  readonly creationWrites: number;
  /** The functions' sustained write rate: limit x share per window. */
  readonly writesPerSecond: number;
  readonly lbCreateS: number;
  readonly floorS: number;
  readonly convergedS: number;
  readonly convergedOverFloor: number;
}

const round = (x: number, digits = 3): number => Math.round(x * 10 ** digits) / 10 ** digits;

export function waveBudgetFloor(wave: Pick<WorkloadFigures, 'nrpWrites' | 'convergedMs'>, lbCreateMs: number, budget: Budget = DEFAULT_BUDGETS.write): WaveBudgetFloor {
  const calls = wave.nrpWrites.calls;
  const creationWrites = (calls['total'] ?? 0) - (calls['updateAddressLocations'] ?? 0);
  const writesPerSecond = (budget.limit * budget.share) / (budget.windowMs / 1_000);
  const floorS = creationWrites / writesPerSecond + lbCreateMs / 1_000;
  const convergedS = wave.convergedMs / 1_000;
  return {
    creationWrites,
    writesPerSecond: round(writesPerSecond),
    lbCreateS: round(lbCreateMs / 1_000, 1),
    floorS: round(floorS, 1),
    convergedS: round(convergedS, 1),
    convergedOverFloor: round(convergedS / Math.max(floorS, 1e-9)),
  };
}
