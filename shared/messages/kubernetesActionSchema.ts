// What the forwarder does in Kubernetes for the engine: the subset of EngineCommand that targets
// a Service or Pod (status patch, finalizers, Events). Each action is a strict object (an unknown
// key is a malformed action, not a field to drop): the forwarder holds cluster-wide write access,
// so what it accepts is exactly what the engine means and no more (ADR 0020).
import { z } from 'zod';
import { parseIp } from '../engine/ip.ts';
import type { EngineCommand, EventTarget, ObjectRef } from '../engine/types.ts';
import { POD_FINALIZER, SERVICE_FINALIZER } from '../engine/types.ts';
import { MAX_CODE_CHARS, MAX_EVENT_MESSAGE_CHARS } from './bounds.ts';
import { ipFamilySchema, ipSchema, kubeObjectKindSchema, uidSchema } from './fieldSchemas.ts';
import { kubeNameSchema, kubeNamespaceSchema } from './kubeNameSchemas.ts';
import { sameShape } from './sameShape.ts';

export const KUBERNETES_ACTION_KINDS = ['PatchServiceStatus', 'AddFinalizer', 'RemoveFinalizer', 'RecordKubernetesEvent'] as const;
export type KubernetesActionKind = (typeof KUBERNETES_ACTION_KINDS)[number];
export type KubernetesAction = Extract<EngineCommand, { readonly kind: KubernetesActionKind }>;

export function isKubernetesAction(command: EngineCommand): command is KubernetesAction {
  return (KUBERNETES_ACTION_KINDS as readonly string[]).includes(command.kind);
}

const targetOf = <K extends ObjectRef['kind']>(kind: K) =>
  z.strictObject({ kind: z.literal(kind), namespace: kubeNamespaceSchema, name: kubeNameSchema, uid: uidSchema });

const serviceTargetSchema = targetOf('Service');
const podTargetSchema = targetOf('Pod');

/** An Event may be about any watched kind; a Node's has no namespace. */
export const eventTargetSchema = z.strictObject({
  kind: kubeObjectKindSchema,
  namespace: kubeNamespaceSchema.nullable(),
  name: kubeNameSchema,
  uid: uidSchema,
});

/** The Service finalizer only on a Service, the pod finalizer only on a Pod. */
function finalizerChangeSchema<K extends 'AddFinalizer' | 'RemoveFinalizer'>(kind: K) {
  return z.discriminatedUnion('finalizer', [
    z.strictObject({ kind: z.literal(kind), target: serviceTargetSchema, finalizer: z.literal(SERVICE_FINALIZER) }),
    z.strictObject({ kind: z.literal(kind), target: podTargetSchema, finalizer: z.literal(POD_FINALIZER) }),
  ]);
}

/** The writer merges the IP into the ingress list by family, so it must be an address of that family. */
const patchServiceStatusSchema = z
  .strictObject({ kind: z.literal('PatchServiceStatus'), target: serviceTargetSchema, ingressIp: ipSchema, family: ipFamilySchema })
  .refine((a) => parseIp(a.ingressIp)?.family === a.family, { path: ['ingressIp'], message: 'expected an IP address of the action\'s family' });

export const kubernetesActionSchema = z.discriminatedUnion('kind', [
  patchServiceStatusSchema,
  finalizerChangeSchema('AddFinalizer'),
  finalizerChangeSchema('RemoveFinalizer'),
  z.strictObject({
    kind: z.literal('RecordKubernetesEvent'),
    target: eventTargetSchema,
    type: z.enum(['Normal', 'Warning']),
    reason: z.string().min(1).max(MAX_CODE_CHARS),
    message: z.string().max(MAX_EVENT_MESSAGE_CHARS),
  }),
]);

sameShape<z.output<typeof eventTargetSchema>, EventTarget>(true);
sameShape<z.output<typeof kubernetesActionSchema>, KubernetesAction>(true);
