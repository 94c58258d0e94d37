// A small driver over decide() for unit tests: it keeps the state and the clock, and the helpers
// below pick commands and observations out of a decision.
import assert from 'node:assert/strict';
import { decide } from '../../shared/engine/decide.ts';
import type {
  ClusterState,
  Decision,
  EngineCommand,
  EngineConfig,
  EngineEvent,
  EngineObservation,
  NrpServiceType,
  OperationOutcome,
  ServiceOp,
  ServiceOperation,
} from '../../shared/engine/types.ts';
import { CLUSTER, ctxAt, syncedState } from './builders.ts';

export interface DriverOptions {
  now?: number;
  cluster?: string;
  config?: Partial<EngineConfig>;
  random?: () => number;
  state?: ClusterState;
  /** The op `op()` returns when no name is given. */
  defaultName?: string;
}

export class EngineDriver {
  state: ClusterState;
  now: number;
  config: Partial<EngineConfig>;
  readonly random: () => number;
  readonly defaultName: string | undefined;

  constructor(o: DriverOptions = {}) {
    this.now = o.now ?? 0;
    this.config = o.config ?? {};
    this.random = o.random ?? (() => 0);
    this.state = o.state ?? syncedState(this.now, o.cluster ?? CLUSTER);
    this.defaultName = o.defaultName;
  }

  send(events: EngineEvent[]): Decision {
    const d = decide(this.state, events, ctxAt(this.now, this.config, this.random));
    this.state = d.state;
    return d;
  }

  at(now: number, events: EngineEvent[] = [{ kind: 'Tick' }]): Decision {
    this.now = now;
    return this.send(events);
  }

  op(name = this.defaultName): ServiceOp {
    assert.ok(name !== undefined, 'op() needs a name');
    const op = this.state.ops.get(name);
    assert.ok(op, `op ${name} is tracked`);
    return op;
  }

  /** NRP as read now (it replaces the mirror). */
  observed(services: { name: string; type: NrpServiceType }[], locations: { location: string; addresses: { address: string; services: string[] }[] }[] = []): EngineEvent {
    return { kind: 'NrpObserved', nrpEpoch: this.state.nrpEpoch, services, locations };
  }
}

export type CommandOf<K extends EngineCommand['kind']> = Extract<EngineCommand, { kind: K }>;
export type ObservationOf<K extends EngineObservation['kind']> = Extract<EngineObservation, { kind: K }>;

export function commandsOf<K extends EngineCommand['kind']>(d: Decision, kind: K): CommandOf<K>[] {
  return d.commands.filter((c): c is CommandOf<K> => c.kind === kind);
}

export function observationsOf<K extends EngineObservation['kind']>(d: Decision, kind: K): ObservationOf<K>[] {
  return d.observations.filter((o): o is ObservationOf<K> => o.kind === kind);
}

export function dispatches(d: Decision): ServiceOperation[] {
  return commandsOf(d, 'DispatchServiceOperation').map((c) => c.operation);
}

/** The one operation a decision dispatched. */
export function theDispatch(d: Decision): ServiceOperation {
  const all = dispatches(d);
  assert.equal(all.length, 1, `expected one dispatch, got ${all.length}`);
  const [op] = all;
  assert.ok(op);
  return op;
}

export function completion(op: ServiceOperation, outcome: OperationOutcome): EngineEvent {
  return { kind: 'ServiceOperationCompleted', serviceName: op.serviceName, dispatchId: op.dispatchId, outcome };
}
