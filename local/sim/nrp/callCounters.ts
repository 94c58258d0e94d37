// Calls received per operation name (failed ones included) and the number of 429 answers.

export const WRITE_OPERATIONS = [
  'publicIPAddresses.createOrUpdate',
  'publicIPAddresses.delete',
  'loadBalancers.createOrUpdate',
  'loadBalancers.delete',
  'natGateways.createOrUpdate',
  'natGateways.delete',
  'updateServices',
  'updateAddressLocations',
] as const;

export const READ_OPERATIONS = [
  'publicIPAddresses.get',
  'publicIPAddresses.list',
  'loadBalancers.get',
  'loadBalancers.list',
  'natGateways.get',
  'natGateways.list',
  'serviceGateways.get',
  'listServices',
  'listAddressLocations',
  'virtualNetworks.get',
  'operations.get',
  'operationResults.get',
] as const;

export type WriteOperation = (typeof WRITE_OPERATIONS)[number];
export type ReadOperation = (typeof READ_OPERATIONS)[number];
export type Operation = WriteOperation | ReadOperation;

export function isWriteOperation(op: string): op is WriteOperation {
  return (WRITE_OPERATIONS as readonly string[]).includes(op);
}

export class CallCounters {
  private counts = new Map<string, number>();
  private throttledCount = 0;

  count(operation: string): void {
    this.counts.set(operation, (this.counts.get(operation) ?? 0) + 1);
  }

  throttled(): void {
    this.throttledCount += 1;
  }

  reset(): void {
    this.counts = new Map();
    this.throttledCount = 0;
  }

  /** Writes (always present), then reads and anything unrouted when asked, then `throttled`. */
  snapshot(includeReads: boolean): Record<string, number> {
    const out: Record<string, number> = {};
    for (const op of WRITE_OPERATIONS) out[op] = this.counts.get(op) ?? 0;
    if (includeReads) {
      for (const op of READ_OPERATIONS) out[op] = this.counts.get(op) ?? 0;
      for (const [op, n] of this.counts) if (!(op in out)) out[op] = n;
    }
    out.throttled = this.throttledCount;
    return out;
  }
}
