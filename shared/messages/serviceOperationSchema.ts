// A service operation (engine types.ts ServiceOperation) and the configs it carries: what the
// service-ops function needs to build the Azure resources of one NRP service.
import { z } from 'zod';
import type { InboundConfig, OutboundConfig, PortRule, ServiceConfig, ServiceOperation, ServiceRef } from '../engine/types.ts';
import { MAX_IP_FAMILIES, MAX_SERVICE_PORTS } from './bounds.ts';
import {
  clusterSchema,
  countSchema,
  engineIdSchema,
  ipFamilySchema,
  nameSchema,
  namespaceSchema,
  nrpNameSchema,
  operationKindSchema,
  portSchema,
  protocolSchema,
  serviceKindSchema,
  uidSchema,
} from './fieldSchemas.ts';
import { sameShape } from './sameShape.ts';

export const portRuleSchema = z.object({
  protocol: protocolSchema,
  port: portSchema,
  backendPort: portSchema,
});

export const serviceRefSchema = z.object({
  namespace: namespaceSchema,
  name: nameSchema,
  uid: uidSchema,
});

export const inboundConfigSchema = z.object({
  kind: z.literal('inbound'),
  name: nrpNameSchema,
  service: serviceRefSchema,
  ipFamily: ipFamilySchema,
  ports: z.array(portRuleSchema).max(MAX_SERVICE_PORTS),
  /** Azure Load Balancer's range, which admission enforces (engine admission.ts). */
  idleTimeoutMinutes: z.number().int().min(4).max(30),
});

export const outboundConfigSchema = z.object({
  kind: z.literal('outbound'),
  name: nrpNameSchema,
  ipFamilies: z.array(ipFamilySchema).min(1).max(MAX_IP_FAMILIES),
});

export const serviceConfigSchema = z.discriminatedUnion('kind', [inboundConfigSchema, outboundConfigSchema]);

export const serviceOperationSchema = z
  .object({
    cluster: clusterSchema,
    dispatchId: engineIdSchema,
    correlationId: engineIdSchema,
    serviceName: nrpNameSchema,
    serviceKind: serviceKindSchema,
    operation: operationKindSchema,
    config: serviceConfigSchema.nullable(),
    orphan: z.boolean(),
    attempt: countSchema.min(1),
  })
  .superRefine((op, ctx) => {
    // Only an orphan delete may lack a config, and a config is always of the operation's kind.
    if (op.config === null && op.operation !== 'delete') {
      ctx.addIssue({ code: 'custom', path: ['config'], message: `a ${op.operation} needs a config` });
    }
    if (op.config !== null && op.config.kind !== op.serviceKind) {
      ctx.addIssue({ code: 'custom', path: ['config', 'kind'], message: `${op.config.kind} config for an ${op.serviceKind} service` });
    }
  });

sameShape<z.output<typeof portRuleSchema>, PortRule>(true);
sameShape<z.output<typeof serviceRefSchema>, ServiceRef>(true);
sameShape<z.output<typeof inboundConfigSchema>, InboundConfig>(true);
sameShape<z.output<typeof outboundConfigSchema>, OutboundConfig>(true);
sameShape<z.output<typeof serviceConfigSchema>, ServiceConfig>(true);
sameShape<z.output<typeof serviceOperationSchema>, ServiceOperation>(true);
