// Long-running operations as NRP exposes them: an `Azure-AsyncOperation` status resource
// (…/locations/{region}/operations/{id}: {"status":"InProgress"|"Succeeded"}) and a `Location`
// operation-result resource (…/operationResults/{id}: 202 while running, then 204 or 200).
import { sequenceGuid } from './ids.ts';
import type { Clock } from './types.ts';

export type OperationKind = 'put' | 'delete' | 'post';

export interface AsyncOperation {
  readonly id: string;
  readonly kind: OperationKind;
  readonly startedAt: number;
  readonly doneAt: number;
}

export class AsyncOperations {
  private readonly clock: Clock;
  private readonly ops = new Map<string, AsyncOperation>();
  private seq = 0;

  constructor(clock: Clock) {
    this.clock = clock;
  }

  start(kind: OperationKind, durationMs: number): AsyncOperation {
    this.seq += 1;
    const now = this.clock.now();
    const op: AsyncOperation = { id: sequenceGuid(0xa5, this.seq), kind, startedAt: now, doneAt: now + durationMs };
    this.ops.set(op.id, op);
    return op;
  }

  get(id: string): AsyncOperation | undefined {
    return this.ops.get(id.toLowerCase());
  }

  isDone(op: AsyncOperation): boolean {
    return this.clock.now() >= op.doneAt;
  }

  /** The body of the Azure-AsyncOperation status resource. */
  statusBody(op: AsyncOperation): { name: string; status: 'InProgress' | 'Succeeded'; startTime: string; endTime?: string } {
    const done = this.isDone(op);
    return {
      name: op.id,
      status: done ? 'Succeeded' : 'InProgress',
      startTime: new Date(op.startedAt).toISOString(),
      ...(done ? { endTime: new Date(op.doneAt).toISOString() } : {}),
    };
  }
}
