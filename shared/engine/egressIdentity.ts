// Egress identities are user-chosen label values; NRP names resources after them (reference §1.1).
import type { RejectReason } from './types.ts';

/** 80 characters for a PIP name minus the longest suffix, "-pip-v6". */
export const MAX_EGRESS_IDENTITY_LENGTH = 73;
export const RESERVED_EGRESS_IDENTITIES: ReadonlySet<string> = new Set(['default-natgw']);
const IDENTITY = new RegExp(`^[a-z0-9]([a-z0-9._-]{0,${MAX_EGRESS_IDENTITY_LENGTH - 2}}[a-z0-9_])?$`);

export type EgressIdentityCheck =
  | { readonly valid: true; readonly identity: string }
  | { readonly valid: false; readonly reason: Extract<RejectReason, 'InvalidEgressLabel' | 'ReservedEgressLabel'>; readonly message: string };

export function checkEgressIdentity(label: string): EgressIdentityCheck {
  const identity = label.toLowerCase();
  if (RESERVED_EGRESS_IDENTITIES.has(identity)) {
    return { valid: false, reason: 'ReservedEgressLabel', message: `egress identity "${identity}" is reserved` };
  }
  if (!IDENTITY.test(identity)) {
    return {
      valid: false,
      reason: 'InvalidEgressLabel',
      message: `egress identity "${label}" must be 1-${MAX_EGRESS_IDENTITY_LENGTH} characters of a-z, 0-9, '.', '_', '-', starting with a letter or digit`,
    };
  }
  return { valid: true, identity };
}
