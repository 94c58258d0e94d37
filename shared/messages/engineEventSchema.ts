// Everything the engine hears (engine types.ts EngineEvent), one schema per variant under one
// discriminated union on `kind`, with the completion outcomes they carry.
import { z } from 'zod';
import type { AddressUpdate, EngineEvent, ManagedResource, ObservedLocation, OperationOutcome, SyncFailure } from '../engine/types.ts';
import {
  MAX_AZURE_ID_CHARS,
  MAX_AZURE_NAME_CHARS,
  MAX_ERROR_MESSAGE_CHARS,
  MAX_OBSERVED_ADDRESSES,
  MAX_OBSERVED_LOCATIONS,
  MAX_OBSERVED_RESOURCES,
  MAX_OBSERVED_SERVICES,
  MAX_REASON_CHARS,
  MAX_SERVICES_PER_ADDRESS,
} from './bounds.ts';
import {
  clusterSchema,
  codeSchema,
  countSchema,
  engineIdSchema,
  ipSchema,
  kubeObjectKindSchema,
  nameSchema,
  namespaceSchema,
  nrpNameSchema,
  nrpServiceTypeSchema,
  resourceVersionSchema,
  serviceKindSchema,
  uidSchema,
} from './fieldSchemas.ts';
import { endpointSliceFactSchema, nodeFactSchema, podFactSchema, serviceFactSchema } from './factSchemas.ts';
import { sameShape } from './sameShape.ts';

const errorMessageSchema = z.string().max(MAX_ERROR_MESSAGE_CHARS);
/** The list resourceVersion an upsert was part of, or of a finished list. */
const snapshotSchema = resourceVersionSchema;

export const operationOutcomeSchema = z.discriminatedUnion('result', [
  z.object({ result: z.literal('success'), publicIp: ipSchema.nullable() }),
  z.object({ result: z.literal('failure'), terminal: z.boolean(), code: codeSchema, message: errorMessageSchema }),
]);

export const syncFailureSchema = z.object({
  terminal: z.boolean(),
  outcomeUnknown: z.boolean(),
  code: codeSchema,
  message: errorMessageSchema,
});

export const addressUpdateSchema = z.object({
  address: ipSchema,
  services: z.array(nrpNameSchema).max(MAX_SERVICES_PER_ADDRESS),
});

export const observedLocationSchema = z.object({
  location: ipSchema,
  addresses: z.array(addressUpdateSchema).max(MAX_OBSERVED_ADDRESSES),
});

export const serviceUpsertedSchema = z.object({ kind: z.literal('ServiceUpserted'), service: serviceFactSchema, snapshot: snapshotSchema.optional() });
export const endpointSliceUpsertedSchema = z.object({ kind: z.literal('EndpointSliceUpserted'), slice: endpointSliceFactSchema, snapshot: snapshotSchema.optional() });
export const nodeUpsertedSchema = z.object({ kind: z.literal('NodeUpserted'), node: nodeFactSchema, snapshot: snapshotSchema.optional() });
export const podUpsertedSchema = z.object({ kind: z.literal('PodUpserted'), pod: podFactSchema, snapshot: snapshotSchema.optional() });

export const objectDeletedSchema = z.object({
  kind: z.literal('ObjectDeleted'),
  objectKind: kubeObjectKindSchema,
  /** Null for cluster-scoped kinds (Node). */
  namespace: namespaceSchema.nullable(),
  name: nameSchema,
  uid: uidSchema,
  resourceVersion: resourceVersionSchema,
});

export const objectWithheldSchema = z.object({
  kind: z.literal('ObjectWithheld'),
  objectKind: kubeObjectKindSchema,
  namespace: namespaceSchema.nullable(),
  name: nameSchema,
  uid: uidSchema,
  resourceVersion: resourceVersionSchema,
  reason: z.enum(['ObjectTooLarge', 'ObjectUnreadable']),
  detail: z.string().max(MAX_REASON_CHARS),
  snapshot: snapshotSchema.optional(),
});

export const kubernetesSyncedSchema = z.object({ kind: z.literal('KubernetesSynced'), objectKind: kubeObjectKindSchema, snapshot: snapshotSchema });

export const serviceOperationCompletedSchema = z.object({
  kind: z.literal('ServiceOperationCompleted'),
  serviceName: nrpNameSchema,
  dispatchId: engineIdSchema,
  outcome: operationOutcomeSchema,
});

export const locationsSyncCompletedSchema = z.object({
  kind: z.literal('LocationsSyncCompleted'),
  syncId: engineIdSchema,
  applied: countSchema,
  failure: syncFailureSchema.nullable(),
});

export const nrpObservedSchema = z.object({
  kind: z.literal('NrpObserved'),
  nrpEpoch: countSchema,
  services: z.array(z.object({ name: nrpNameSchema, type: nrpServiceTypeSchema })).max(MAX_OBSERVED_SERVICES),
  locations: z.array(observedLocationSchema).max(MAX_OBSERVED_LOCATIONS),
});

export const nrpDriftObservedSchema = z.object({
  kind: z.literal('NrpDriftObserved'),
  nrpEpoch: countSchema,
  services: z.array(z.object({ name: nrpNameSchema, type: nrpServiceTypeSchema.nullable() })).max(MAX_OBSERVED_SERVICES),
  locations: z.array(observedLocationSchema).max(MAX_OBSERVED_LOCATIONS),
  final: z.boolean().optional(),
});

export const managedResourceSchema = z.object({
  resourceType: z.enum(['publicIPAddress', 'loadBalancer', 'natGateway']),
  name: z.string().min(1).max(MAX_AZURE_NAME_CHARS),
  id: z.string().min(1).max(MAX_AZURE_ID_CHARS),
  cluster: clusterSchema,
  serviceKind: serviceKindSchema,
  service: nrpNameSchema,
});

export const azureResourcesObservedSchema = z.object({
  kind: z.literal('AzureResourcesObserved'),
  nrpEpoch: countSchema,
  resources: z.array(managedResourceSchema).max(MAX_OBSERVED_RESOURCES),
  part: countSchema.optional(),
  final: z.boolean().optional(),
});

export const tickSchema = z.object({ kind: z.literal('Tick') });

export const engineEventSchema = z.discriminatedUnion('kind', [
  serviceUpsertedSchema,
  endpointSliceUpsertedSchema,
  nodeUpsertedSchema,
  podUpsertedSchema,
  objectDeletedSchema,
  objectWithheldSchema,
  kubernetesSyncedSchema,
  serviceOperationCompletedSchema,
  locationsSyncCompletedSchema,
  nrpObservedSchema,
  nrpDriftObservedSchema,
  azureResourcesObservedSchema,
  tickSchema,
]);

sameShape<z.output<typeof operationOutcomeSchema>, OperationOutcome>(true);
sameShape<z.output<typeof syncFailureSchema>, SyncFailure>(true);
sameShape<z.output<typeof addressUpdateSchema>, AddressUpdate>(true);
sameShape<z.output<typeof observedLocationSchema>, ObservedLocation>(true);
sameShape<z.output<typeof managedResourceSchema>, ManagedResource>(true);
sameShape<z.output<typeof engineEventSchema>, EngineEvent>(true);
