// What the cluster wants of one service: the reference's AddService / UpdateService /
// DeleteService (and AddPod's effect on the outbound op), by current state (reference §2.2).
import type { Draft } from './draft.ts';
import {
  FRESH_RETRY,
  dropOp,
  ensureServiceFinalizer,
  fieldsOf,
  newFields,
  outboundConfigFor,
  patchOp,
  putOp,
  sameConfig,
} from './opRecords.ts';
import type { InboundConfig, ServiceKind } from './types.ts';
import { nrpHas } from './view.ts';

/** UpdateService for an admitted inbound Service (AddService when untracked). */
export function upsertInbound(d: Draft, config: InboundConfig): void {
  const name = config.name;
  const op = d.ops.get(name);
  if (!op) {
    const fields = newFields(d, name, 'inbound', config, false);
    if (nrpHas(d.mirrorServices, name, 'inbound')) {
      // Registered but untracked (state was lost): nothing to compare with, so re-apply the LB.
      putOp(d, undefined, fields, { state: 'UpdateInProgress', inFlight: null });
    } else {
      putOp(d, undefined, fields, { state: 'NotStarted', inFlight: null, terminal: null });
    }
    ensureServiceFinalizer(d, name);
    return;
  }
  if (op.kind !== 'inbound') return;
  ensureServiceFinalizer(d, name);
  switch (op.state) {
    case 'NotStarted':
      // Latest config wins; a real spec change re-arms a terminal park and a retries-exhausted park.
      if (sameConfig(op.config, config)) return;
      putOp(d, op, { ...fieldsOf(op), config, retry: FRESH_RETRY }, { state: 'NotStarted', inFlight: null, terminal: null });
      return;
    case 'CreationInProgress':
      // The in-flight create keeps its snapshot; its completion notices the drift.
      if (!sameConfig(op.config, config)) patchOp(d, op, { config });
      return;
    case 'Created':
      if (sameConfig(op.lastApplied, config)) {
        if (!sameConfig(op.config, config)) patchOp(d, op, { config });
        return;
      }
      putOp(d, op, { ...fieldsOf(op), config, retry: FRESH_RETRY }, { state: 'UpdateInProgress', inFlight: null });
      return;
    case 'UpdateInProgress':
      if (sameConfig(op.config, config)) return;
      patchOp(d, op, op.inFlight ? { config } : { config, retry: FRESH_RETRY });
      return;
    case 'DeletionPending':
    case 'DeletionInProgress':
      if (op.recreateAfterDeletion && sameConfig(op.config, config)) return;
      patchOp(d, op, { config, recreateAfterDeletion: true });
      return;
  }
}

/** A live pod wants its egress identity: create the outbound service, revive it, or recreate it. */
export function ensureOutbound(d: Draft, identity: string): void {
  const op = d.ops.get(identity);
  if (!op) {
    if (nrpHas(d.mirrorServices, identity, 'outbound')) return;
    putOp(d, undefined, newFields(d, identity, 'outbound', outboundConfigFor(d, identity), false), {
      state: 'NotStarted',
      inFlight: null,
      terminal: null,
    });
    return;
  }
  if (op.kind !== 'outbound') return;
  const config = op.config ?? outboundConfigFor(d, identity);
  if (op.state === 'DeletionPending' && op.retry.count === 0) {
    // Revival: no delete was attempted yet, so the live NAT gateway simply stays.
    const fields = { ...fieldsOf(op), config, recreateAfterDeletion: false, retry: FRESH_RETRY };
    if (op.inFlight?.operation === 'create') putOp(d, op, fields, { state: 'CreationInProgress', inFlight: op.inFlight });
    else if (op.inFlight) putOp(d, op, fields, { state: 'UpdateInProgress', inFlight: op.inFlight });
    else if (nrpHas(d.mirrorServices, identity, 'outbound')) putOp(d, op, fields, { state: 'Created', inFlight: null });
    else putOp(d, op, fields, { state: 'NotStarted', inFlight: null, terminal: null });
    return;
  }
  if ((op.state === 'DeletionPending' || op.state === 'DeletionInProgress') && !op.recreateAfterDeletion) {
    patchOp(d, op, { config, recreateAfterDeletion: true });
  }
}

/** DeleteService: delete is fresh intent; the drain gate decides when Azure work may start. */
export function deleteService(d: Draft, name: string, kind: ServiceKind): void {
  const op = d.ops.get(name);
  if (!op) {
    if (!nrpHas(d.mirrorServices, name, kind)) return;
    // Registered but untracked: an orphan of a lost or earlier engine state.
    putOp(d, undefined, newFields(d, name, kind, null, true), { state: 'DeletionPending', inFlight: null });
    return;
  }
  if (op.kind !== kind) return;
  switch (op.state) {
    case 'NotStarted':
      if (op.dispatches === 0 && !nrpHas(d.mirrorServices, name, kind)) {
        // Never reached Azure: nothing to clean up.
        dropOp(d, op);
        return;
      }
      putOp(d, op, { ...fieldsOf(op), retry: FRESH_RETRY, recreateAfterDeletion: false }, { state: 'DeletionPending', inFlight: null });
      return;
    case 'CreationInProgress':
    case 'Created':
    case 'UpdateInProgress':
      // An in-flight create or update is never cancelled: its completion is routed to deletion.
      putOp(d, op, { ...fieldsOf(op), retry: FRESH_RETRY, recreateAfterDeletion: false }, { state: 'DeletionPending', inFlight: op.inFlight });
      return;
    case 'DeletionPending':
    case 'DeletionInProgress':
      if (op.recreateAfterDeletion || op.retry.parkedUntil !== null) {
        patchOp(d, op, op.retry.parkedUntil !== null ? { recreateAfterDeletion: false, retry: FRESH_RETRY } : { recreateAfterDeletion: false });
      }
      return;
  }
}
