// The building blocks every message schema shares: bounded strings and numbers, named for what
// they hold. Formats the engine checks itself (IPs, egress labels) are only length-bounded here,
// so a bad value becomes the engine's reject-with-a-reason instead of a dead-lettered message.
import { z } from 'zod';
import {
  MAX_CLUSTER_CHARS,
  MAX_CODE_CHARS,
  MAX_ENGINE_ID_CHARS,
  MAX_EPOCH_MS,
  MAX_IP_CHARS,
  MAX_KEYWORD_CHARS,
  MAX_NAME_CHARS,
  MAX_NAMESPACE_CHARS,
  MAX_NRP_NAME_CHARS,
  MAX_RESOURCE_VERSION_CHARS,
  MAX_UID_CHARS,
} from './bounds.ts';

/** Letters, digits, '.', '_' and '-', starting with a letter or digit: safe in ids and keys. */
export const CLUSTER_PATTERN = new RegExp(`^[A-Za-z0-9][A-Za-z0-9._-]{0,${MAX_CLUSTER_CHARS - 1}}$`);

export const clusterSchema = z.string().regex(CLUSTER_PATTERN, `expected a cluster name of 1-${MAX_CLUSTER_CHARS} letters, digits, '.', '_' or '-' (starting with a letter or digit)`);
export const namespaceSchema = z.string().min(1).max(MAX_NAMESPACE_CHARS);
export const nameSchema = z.string().min(1).max(MAX_NAME_CHARS);
export const uidSchema = z.string().min(1).max(MAX_UID_CHARS);
export const resourceVersionSchema = z.string().min(1).max(MAX_RESOURCE_VERSION_CHARS);
export const keywordSchema = z.string().max(MAX_KEYWORD_CHARS);
export const ipSchema = z.string().min(1).max(MAX_IP_CHARS);
export const nrpNameSchema = z.string().min(1).max(MAX_NRP_NAME_CHARS);
/** Dispatch, sync and correlation ids the engine mints. */
export const engineIdSchema = z.string().min(1).max(MAX_ENGINE_ID_CHARS);
export const codeSchema = z.string().min(1).max(MAX_CODE_CHARS);

export const countSchema = z.number().int().min(0);
export const epochMsSchema = z.number().int().min(0).max(MAX_EPOCH_MS);
export const portSchema = z.number().int().min(1).max(65_535);

export const ipFamilySchema = z.enum(['IPv4', 'IPv6']);
export const serviceKindSchema = z.enum(['inbound', 'outbound']);
export const protocolSchema = z.enum(['TCP', 'UDP']);
export const operationKindSchema = z.enum(['create', 'update', 'delete']);
export const kubeObjectKindSchema = z.enum(['Service', 'EndpointSlice', 'Node', 'Pod']);
export const nrpServiceTypeSchema = z.enum(['Inbound', 'Outbound', 'InboundOutbound']);
