// What the functions need from the world, built once per process and replaceable in tests.
// Handlers never construct clients themselves: they ask for `dependencies()`.
import { defaultEngineConfig } from '../shared/engine/config.ts';
import type { EngineConfig } from '../shared/engine/types.ts';
import type { NetworkProvider } from '../shared/azure/networkProvider.ts';
import type { MessageSender } from '../shared/messages/outgoing.ts';
import type { StateStore } from '../shared/state/stateStore.ts';
import { defaultTelemetry } from '../shared/telemetry/telemetry.ts';
import type { Telemetry } from '../shared/telemetry/telemetry.ts';

export interface Dependencies {
  readonly store: StateStore;
  readonly sender: MessageSender;
  /** Absent until a network adapter is configured; the functions that need it say so. */
  readonly network: NetworkProvider | null;
  readonly engineConfig: EngineConfig;
  readonly now: () => number;
  readonly random: () => number;
  /** Clusters the locations timer reconciles. */
  readonly clusters: readonly string[];
  /** Metrics, spans and where log lines go; the process's global providers when absent. */
  readonly telemetry?: Telemetry | undefined;
}

export type DependencyFactory = () => Promise<Dependencies>;

let factory: DependencyFactory | null = null;
let current: Promise<Dependencies> | null = null;

/** Install how dependencies are built (the app's entry point does this once; tests per case). */
export function configureDependencies(make: DependencyFactory): void {
  factory = make;
  current = null;
}

export function dependencies(): Promise<Dependencies> {
  if (!factory) throw new Error('dependencies are not configured: the entry point must call configureDependencies() before any function runs');
  current ??= factory();
  return current;
}

/** A system clock and randomness for production; tests pass their own. */
export function systemDependencies(parts: Omit<Dependencies, 'now' | 'random' | 'engineConfig'> & Partial<Pick<Dependencies, 'engineConfig'>>): Dependencies {
  return { engineConfig: defaultEngineConfig, now: () => Date.now(), random: () => Math.random(), ...parts };
}

export function telemetryOf(deps: Dependencies): Telemetry {
  return deps.telemetry ?? defaultTelemetry();
}
