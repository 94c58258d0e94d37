// What the forwarder does in Kubernetes for the engine: the subset of EngineCommand that targets
// a Service or Pod (status patch, finalizers, Events).
import { z } from 'zod';
import type { EngineCommand, EventTarget, ObjectRef } from '../engine/types.ts';
import { POD_FINALIZER, SERVICE_FINALIZER } from '../engine/types.ts';
import { MAX_CODE_CHARS, MAX_EVENT_MESSAGE_CHARS } from './bounds.ts';
import { ipFamilySchema, ipSchema, kubeObjectKindSchema, nameSchema, namespaceSchema, uidSchema } from './fieldSchemas.ts';
import { sameShape } from './sameShape.ts';

export const KUBERNETES_ACTION_KINDS = ['PatchServiceStatus', 'AddFinalizer', 'RemoveFinalizer', 'RecordKubernetesEvent'] as const;
export type KubernetesActionKind = (typeof KUBERNETES_ACTION_KINDS)[number];
export type KubernetesAction = Extract<EngineCommand, { readonly kind: KubernetesActionKind }>;

export function isKubernetesAction(command: EngineCommand): command is KubernetesAction {
  return (KUBERNETES_ACTION_KINDS as readonly string[]).includes(command.kind);
}

export const objectRefSchema = z.object({
  kind: z.enum(['Service', 'Pod']),
  namespace: namespaceSchema,
  name: nameSchema,
  uid: uidSchema,
});

/** An Event may be about any watched kind; a Node's has no namespace. */
export const eventTargetSchema = z.object({
  kind: kubeObjectKindSchema,
  namespace: namespaceSchema.nullable(),
  name: nameSchema,
  uid: uidSchema,
});

const finalizerSchema = z.enum([SERVICE_FINALIZER, POD_FINALIZER]);

export const kubernetesActionSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('PatchServiceStatus'), target: objectRefSchema, ingressIp: ipSchema, family: ipFamilySchema }),
  z.object({ kind: z.literal('AddFinalizer'), target: objectRefSchema, finalizer: finalizerSchema }),
  z.object({ kind: z.literal('RemoveFinalizer'), target: objectRefSchema, finalizer: finalizerSchema }),
  z.object({
    kind: z.literal('RecordKubernetesEvent'),
    target: eventTargetSchema,
    type: z.enum(['Normal', 'Warning']),
    reason: z.string().min(1).max(MAX_CODE_CHARS),
    message: z.string().max(MAX_EVENT_MESSAGE_CHARS),
  }),
]);

sameShape<z.output<typeof objectRefSchema>, ObjectRef>(true);
sameShape<z.output<typeof eventTargetSchema>, EventTarget>(true);
sameShape<z.output<typeof kubernetesActionSchema>, KubernetesAction>(true);
