import type { ClusterState } from './types.ts';

export function initialState(cluster: string): ClusterState {
  return {
    schemaVersion: 1,
    cluster,
    sequence: 0,
    nrpEpoch: 0,
    kube: { services: new Map(), slices: new Map(), nodes: new Map(), pods: new Map(), synced: new Map(), tombstones: new Map() },
    ops: new Map(),
    nrp: { services: new Map(), locations: new Map() },
    sync: { nrpRead: { state: 'unread', requestedAt: null }, inFlight: null, lastStartedAt: null, failures: 0, nextAttemptAt: null, rejectedFingerprint: null, dirty: false },
    asked: new Map(),
    azure: { listing: { state: 'unlisted', requestedAt: null, nextPart: 0 }, withheld: new Map() },
  };
}
