// Which failures of a service operation are terminal (reference §3, §3.1 step 1): only the engine's
// own refusal of a config it cannot build. Whatever ARM answers, a 4xx included (a reference not
// visible yet, a feature not registered yet, a quota), may pass without any change to the spec, so
// it is retried with backoff, parked after maxServiceRetries for the cooldown and re-armed forever
// (docs/adr/0012-arm-errors-retried-and-parked.md).
import type { ServiceKind } from './types.ts';

/** Codes of an operation refused before anything was sent to Azure, because its config is invalid. */
export const CONFIG_REFUSAL = {
  /** A create or update that carries no config. */
  missingConfig: 'MissingConfig',
  /** A config of another kind or name than the operation it travels with. */
  configMismatch: 'ConfigMismatch',
} as const;

const REFUSAL_CODES: ReadonlySet<string> = new Set(Object.values(CONFIG_REFUSAL));

/**
 * Whether a failure with this code parks the op until its spec changes: the engine's own refusal of
 * an inbound config. An egress identity has no spec that could change, so even its refusals are
 * retried and re-armed like any other failure.
 */
export function parksUntilSpecChanges(kind: ServiceKind, code: string): boolean {
  return kind === 'inbound' && REFUSAL_CODES.has(code);
}
