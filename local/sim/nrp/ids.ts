// ARM resource ids, resource names and IP addresses: building, parsing, canonical forms.
import { isIPv4, isIPv6 } from 'node:net';
import { badRequest } from './armError.ts';
import type { ArmError } from './armError.ts';
import type { IpVersion } from './types.ts';

/** The Microsoft.Network types the simulator serves, spelled as ARM spells them. */
export const RESOURCE_TYPES = ['publicIPAddresses', 'loadBalancers', 'natGateways', 'serviceGateways', 'virtualNetworks'] as const;
export type ResourceType = (typeof RESOURCE_TYPES)[number];

export function canonicalType(segment: string): ResourceType | undefined {
  const lower = segment.toLowerCase();
  return RESOURCE_TYPES.find((t) => t.toLowerCase() === lower);
}

export interface Scope {
  readonly subscriptionId: string;
  readonly resourceGroup: string;
}

export function resourceId(scope: Scope, type: ResourceType, name: string): string {
  return `/subscriptions/${scope.subscriptionId}/resourceGroups/${scope.resourceGroup}/providers/Microsoft.Network/${type}/${name}`;
}

export interface ParsedId {
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly type: ResourceType;
  readonly name: string;
  readonly child?: { readonly type: string; readonly name: string } | undefined;
}

const ID_PATTERN = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Network\/([^/]+)\/([^/]+)(?:\/([^/]+)\/([^/]+))?\/?$/i;

/** Parses a Microsoft.Network resource id (optionally one child level deep); undefined when it is not one. */
export function parseId(id: string): ParsedId | undefined {
  const m = ID_PATTERN.exec(id);
  if (!m) return undefined;
  const [, sub, rg, typeSeg, name, childType, childName] = m;
  const type = canonicalType(typeSeg ?? '');
  if (!sub || !rg || !type || !name) return undefined;
  return {
    subscriptionId: sub,
    resourceGroup: rg,
    type,
    name,
    child: childType && childName ? { type: childType, name: childName } : undefined,
  };
}

/** True when `id` names a resource in this subscription and resource group (ARM ids are case-insensitive). */
export function inScope(id: ParsedId, scope: Scope): boolean {
  return id.subscriptionId.toLowerCase() === scope.subscriptionId.toLowerCase()
    && id.resourceGroup.toLowerCase() === scope.resourceGroup.toLowerCase();
}

export function sameId(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** Network resource names: 1–80 characters, word characters, '.', '-', '_'; start alphanumeric, end alphanumeric or '_'. */
const NAME_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,78}[A-Za-z0-9_])?$/;

export function checkResourceName(name: string): ArmError | undefined {
  if (NAME_PATTERN.test(name)) return undefined;
  return badRequest('InvalidResourceName',
    `Resource name ${name} is invalid. The name can be up to 80 characters long. It must begin with a word character, ` +
    "and it must end with a word character or with '_'. The name may contain word characters or '.', '-', '_'.");
}

export interface CanonicalIp {
  readonly ip: string;
  readonly version: IpVersion;
}

/** Lower-case, zero-compressed form of an IP address, or undefined when it is not one. */
export function canonicalIp(text: string): CanonicalIp | undefined {
  if (isIPv4(text)) return { ip: text, version: 'IPv4' };
  if (!isIPv6(text) || text.includes('%')) return undefined;
  try {
    return { ip: new URL(`http://[${text}]/`).hostname.slice(1, -1), version: 'IPv6' };
  } catch {
    return undefined;
  }
}

/** A deterministic GUID-shaped string from a sequence number. */
export function sequenceGuid(prefix: number, n: number): string {
  const hex = n.toString(16).padStart(12, '0');
  return `${prefix.toString(16).padStart(8, '0')}-0000-4000-8000-${hex}`;
}

/** 32-bit FNV-1a of a string. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}
