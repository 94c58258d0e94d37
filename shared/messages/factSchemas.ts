// Kubernetes facts as the forwarder reports them (engine types.ts): Service, EndpointSlice, Node
// and Pod, each bounded and proven to mirror its engine type.
import { z } from 'zod';
import type { EndpointFact, EndpointSliceFact, NodeFact, PodFact, ServiceFact, ServicePortFact } from '../engine/types.ts';
import {
  MAX_ANNOTATION_VALUE_CHARS,
  MAX_ANNOTATIONS,
  MAX_ENDPOINT_ADDRESSES,
  MAX_FACT_ADDRESS_CHARS,
  MAX_FINALIZERS,
  MAX_INGRESS_IPS,
  MAX_IP_FAMILIES,
  MAX_KEYWORD_CHARS,
  MAX_LABEL_VALUE_CHARS,
  MAX_NODE_ADDRESSES,
  MAX_OWNER_SERVICE_UIDS,
  MAX_QUALIFIED_NAME_CHARS,
  MAX_SERVICE_PORTS,
  MAX_SLICE_ENDPOINTS,
} from './bounds.ts';
import { keywordSchema, nameSchema, namespaceSchema, resourceVersionSchema, uidSchema } from './fieldSchemas.ts';
import { sameShape } from './sameShape.ts';

const factAddressSchema = z.string().max(MAX_FACT_ADDRESS_CHARS);
const nodeNameSchema = nameSchema.nullable();
const finalizersSchema = z.array(z.string().min(1).max(MAX_QUALIFIED_NAME_CHARS)).max(MAX_FINALIZERS);

export const servicePortFactSchema = z.object({
  name: z.string().max(MAX_KEYWORD_CHARS).optional(),
  protocol: keywordSchema,
  port: z.number().int().min(0).max(65_535),
  /** A number, a name (IANA service names are at most 15 characters), or null when unset. */
  targetPort: z.union([z.number().int().min(0).max(65_535), z.string().max(MAX_KEYWORD_CHARS), z.null()]),
});

export const serviceFactSchema = z.object({
  namespace: namespaceSchema,
  name: nameSchema,
  uid: uidSchema,
  resourceVersion: resourceVersionSchema,
  type: keywordSchema,
  loadBalancerClass: z.string().max(MAX_QUALIFIED_NAME_CHARS).nullable(),
  deleting: z.boolean(),
  finalizers: finalizersSchema,
  annotations: z
    .record(z.string().min(1).max(MAX_QUALIFIED_NAME_CHARS), z.string().max(MAX_ANNOTATION_VALUE_CHARS))
    .refine((a) => Object.keys(a).length <= MAX_ANNOTATIONS, `at most ${MAX_ANNOTATIONS} annotations`),
  ipFamilies: z.array(keywordSchema).max(MAX_IP_FAMILIES),
  sessionAffinity: keywordSchema.nullable(),
  loadBalancerIP: factAddressSchema.nullable(),
  ports: z.array(servicePortFactSchema).max(MAX_SERVICE_PORTS),
  // A forwarder older than this field reports none: the engine then patches the status once more.
  ingressIPs: z.array(factAddressSchema).max(MAX_INGRESS_IPS).default([]),
});

export const endpointFactSchema = z.object({
  addresses: z.array(factAddressSchema).max(MAX_ENDPOINT_ADDRESSES),
  nodeName: nodeNameSchema,
  ready: z.boolean().nullable(),
});

export const endpointSliceFactSchema = z.object({
  namespace: namespaceSchema,
  name: nameSchema,
  uid: uidSchema,
  resourceVersion: resourceVersionSchema,
  // A forwarder older than these fields sends neither: its slices link nothing until it is upgraded
  // (fail closed, docs/adr/0019).
  serviceName: z.string().min(1).max(MAX_LABEL_VALUE_CHARS).nullable().default(null),
  ownerServiceUids: z.array(uidSchema).max(MAX_OWNER_SERVICE_UIDS).default([]),
  addressType: keywordSchema,
  endpoints: z.array(endpointFactSchema).max(MAX_SLICE_ENDPOINTS),
});

export const nodeFactSchema = z.object({
  name: nameSchema,
  uid: uidSchema,
  resourceVersion: resourceVersionSchema,
  internalIPs: z.array(factAddressSchema).max(MAX_NODE_ADDRESSES),
});

export const podFactSchema = z.object({
  namespace: namespaceSchema,
  name: nameSchema,
  uid: uidSchema,
  resourceVersion: resourceVersionSchema,
  egressLabel: z.string().max(MAX_LABEL_VALUE_CHARS).nullable(),
  phase: keywordSchema,
  nodeName: nodeNameSchema,
  hostIPs: z.array(factAddressSchema).max(MAX_NODE_ADDRESSES),
  podIPs: z.array(factAddressSchema).max(MAX_NODE_ADDRESSES),
  deleting: z.boolean(),
  finalizers: finalizersSchema,
});

sameShape<z.output<typeof servicePortFactSchema>, ServicePortFact>(true);
sameShape<z.output<typeof serviceFactSchema>, ServiceFact>(true);
sameShape<z.output<typeof endpointFactSchema>, EndpointFact>(true);
sameShape<z.output<typeof endpointSliceFactSchema>, EndpointSliceFact>(true);
sameShape<z.output<typeof nodeFactSchema>, NodeFact>(true);
sameShape<z.output<typeof podFactSchema>, PodFact>(true);
