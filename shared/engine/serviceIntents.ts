// What the cluster wants of one service: the reference's AddService / UpdateService /
// DeleteService (and AddPod's effect on the outbound op), by current state (reference §2.2).
import type { Draft } from './draft.ts';
import {
  FRESH_RETRY,
  dropOp,
  ensureServiceFinalizer,
  fieldsOf,
  newFields,
  patchOp,
  putOp,
  sameConfig,
} from './opRecords.ts';
import { egressFamiliesKnown, outboundConfigFor, withClusterFamilies } from './egressFamilies.ts';
import type { InboundConfig, OutboundConfig, ServiceConfig, ServiceKind, ServiceOp } from './types.ts';
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
  if (op.state === 'DeletionPending' || op.state === 'DeletionInProgress') {
    if (op.recreateAfterDeletion && sameConfig(op.config, config)) return;
    patchOp(d, op, { config, recreateAfterDeletion: true });
    return;
  }
  applyConfig(d, op, config);
}

/** The config a live (not deleting) op should have now: the latest wins, a built service is updated. */
function applyConfig(d: Draft, op: Exclude<ServiceOp, { state: 'DeletionPending' | 'DeletionInProgress' }>, config: ServiceConfig): void {
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
  }
}

/**
 * A live pod wants its egress identity: create the outbound service (once its families can be
 * known), revive it, recreate it, or grow its families to the cluster's.
 */
export function ensureOutbound(d: Draft, identity: string): void {
  const op = d.ops.get(identity);
  if (!op) {
    if (nrpHas(d.mirrorServices, identity, 'outbound')) return;
    // The Node list or the first NRP read is still to come; either touches every identity again.
    if (!egressFamiliesKnown(d)) return;
    putOp(d, undefined, newFields(d, identity, 'outbound', outboundConfigFor(d, identity), false), {
      state: 'NotStarted',
      inFlight: null,
      terminal: null,
    });
    return;
  }
  if (op.kind !== 'outbound') return;
  const base: OutboundConfig = op.config?.kind === 'outbound' ? op.config : outboundConfigFor(d, identity);
  const config = withClusterFamilies(d, base);
  if (op.state === 'DeletionPending' && op.retry.count === 0) {
    // Revival: no delete was attempted yet, so the live NAT gateway simply stays.
    const fields = { ...fieldsOf(op), config, recreateAfterDeletion: false, retry: FRESH_RETRY };
    if (op.inFlight?.operation === 'create') putOp(d, op, fields, { state: 'CreationInProgress', inFlight: op.inFlight });
    else if (op.inFlight) putOp(d, op, fields, { state: 'UpdateInProgress', inFlight: op.inFlight });
    else if (nrpHas(d.mirrorServices, identity, 'outbound')) {
      // A gateway built with fewer families than the cluster now has gets the missing ones.
      const grew = op.lastApplied !== null && !sameConfig(op.lastApplied, config);
      putOp(d, op, fields, { state: grew ? 'UpdateInProgress' : 'Created', inFlight: null });
    }
    else putOp(d, op, fields, { state: 'NotStarted', inFlight: null, terminal: null });
    return;
  }
  if (op.state === 'DeletionPending' || op.state === 'DeletionInProgress') {
    if (!op.recreateAfterDeletion || !sameConfig(op.config, config)) patchOp(d, op, { config, recreateAfterDeletion: true });
    return;
  }
  // Families only grow, so an unchanged config is the same object and this changes nothing.
  if (config !== op.config) applyConfig(d, op, config);
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
