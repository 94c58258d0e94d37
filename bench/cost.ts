// The monthly Azure bill of a workload, from what one Kubernetes change costs in Table Storage
// transactions, Service Bus operations and Function executions and busy time, at public list
// prices (USD, East US, pay-as-you-go). Sources and the date they were read are in
// docs/benchmarks.md; the official pages render their figures client-side, so the values were
// taken from public transcriptions of them and should be checked against the Azure calculator.

export const PRICES = {
  readAt: '2026-11-25',
  table: { perTenThousandTransactions: 0.00036 },
  // Operations are tiered per month: the first 13M are in the base charge.
  serviceBusStandard: {
    baseMonthly: 10,
    tiers: [
      { upTo: 13e6, perMillion: 0 },
      { upTo: 100e6, perMillion: 0.8 },
      { upTo: 2_500e6, perMillion: 0.5 },
      { upTo: Infinity, perMillion: 0.2 },
    ],
  },
  functionsFlex: { perGbSecond: 0.000026, perMillionExecutions: 0.4, freeGbSeconds: 100_000, freeExecutions: 250_000 },
} as const;

/** Flex Consumption instance sizes (MB): billed GB-s use the size, not what the process uses. */
export const FLEX_INSTANCE_MB = [512, 2_048, 4_096] as const;

const SECONDS_PER_MONTH = 30 * 24 * 3_600;

export interface PerChange {
  readonly tableTransactions: number;
  readonly serviceBusOperations: number;
  readonly executions: number;
  /** Seconds during which at least one function ran. */
  readonly busySeconds: number;
}

export interface MonthlyCost {
  readonly changesPerMonth: number;
  readonly instanceMemoryMb: number;
  readonly tableUsd: number;
  readonly serviceBusUsd: number;
  readonly functionsUsd: number;
  readonly totalUsd: number;
}

/** The smallest Flex instance with room for the measured peak plus a quarter. */
export function flexInstanceFor(peakRssBytes: number): number {
  const needMb = (peakRssBytes / 2 ** 20) * 1.25;
  return FLEX_INSTANCE_MB.find((mb) => mb >= needMb) ?? 4_096;
}

function serviceBusOperationsUsd(operations: number): number {
  let usd = 0;
  let from = 0;
  for (const t of PRICES.serviceBusStandard.tiers) {
    usd += (Math.max(0, Math.min(operations, t.upTo) - from) / 1e6) * t.perMillion;
    from = t.upTo;
  }
  return usd;
}

const cents = (usd: number): number => Math.round(usd * 100) / 100;

export function monthlyCost(perChange: PerChange, changesPerSecond: number, instanceMemoryMb: number): MonthlyCost {
  const changes = changesPerSecond * SECONDS_PER_MONTH;
  const p = PRICES;
  const tableUsd = ((perChange.tableTransactions * changes) / 10_000) * p.table.perTenThousandTransactions;
  const serviceBusUsd = p.serviceBusStandard.baseMonthly + serviceBusOperationsUsd(perChange.serviceBusOperations * changes);
  const gbSeconds = perChange.busySeconds * changes * (instanceMemoryMb / 1_024);
  const executions = perChange.executions * changes;
  const functionsUsd =
    Math.max(0, gbSeconds - p.functionsFlex.freeGbSeconds) * p.functionsFlex.perGbSecond +
    (Math.max(0, executions - p.functionsFlex.freeExecutions) / 1e6) * p.functionsFlex.perMillionExecutions;
  return {
    changesPerMonth: changes,
    instanceMemoryMb,
    tableUsd: cents(tableUsd),
    serviceBusUsd: cents(serviceBusUsd),
    functionsUsd: cents(functionsUsd),
    totalUsd: cents(tableUsd + serviceBusUsd + functionsUsd),
  };
}
