// Order matters only between actions on the same object (an AddFinalizer must not overtake the
// RemoveFinalizer after it); actions on different objects are independent. A received batch is
// therefore cut into one chain per object, applied in order within the chain and side by side
// across chains, so that a failing object holds back nothing but its own later actions.
import type { EventTarget, ObjectRef } from '../../shared/engine/types.ts';

/**
 * The object an action is about: kind, namespace and name. Not the UID: an action for a replaced
 * object (another UID under the name) is answered `gone`, and must still not overtake the actions
 * before it. An Event is ordered with the other actions on the object it is about; a cluster-scoped
 * object (a Node) has no namespace.
 */
export function objectKey(t: ObjectRef | EventTarget): string {
  return JSON.stringify([t.kind, t.namespace, t.name]);
}

/** Items grouped by key, each group in the items' order, groups in order of first appearance. */
export function chainsByKey<T>(items: readonly T[], keyOf: (item: T) => string): T[][] {
  const byKey = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const chain = byKey.get(key);
    if (chain === undefined) byKey.set(key, [item]);
    else chain.push(item);
  }
  return [...byKey.values()];
}
