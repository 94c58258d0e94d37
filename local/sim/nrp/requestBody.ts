// Request-body parsing shared by the resource handlers: zod shapes, enum matching, common fields.
import { z } from 'zod';
import { ArmError, invalidFormat } from './armError.ts';
import type { Sku } from './store.ts';

export const subResource = z.object({ id: z.string() });
export const skuShape = z.object({ name: z.string(), tier: z.string().optional() });
export const tagsShape = z.record(z.string(), z.string());

/** Parses `body` with `schema`; a mismatch is a 400 InvalidRequestFormat naming the fields. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown, what: string): z.output<S> {
  const r = schema.safeParse(body);
  if (r.success) return r.data;
  const problems = r.error.issues.slice(0, 5).map((i) => `${i.path.length ? i.path.map(String).join('.') : 'body'}: ${i.message}`);
  throw invalidFormat(`Cannot parse the request for ${what}: ${problems.join('; ')}`);
}

/** Case-insensitive match against allowed values; returns the canonical spelling. */
export function oneOf<T extends string>(value: string, allowed: readonly T[], field: string): T {
  const hit = allowed.find((a) => a.toLowerCase() === value.toLowerCase());
  if (hit === undefined) throw invalidFormat(`${field} '${value}' is not one of ${allowed.map((a) => `'${a}'`).join(', ')}.`);
  return hit;
}

export function requireLocation(location: string | undefined): string {
  if (location === undefined || location.trim() === '') {
    throw new ArmError(400, 'LocationRequired', 'The location property is required for this definition.');
  }
  return location;
}

export function skuOf(sku: { name: string; tier?: string | undefined } | undefined, allowed: readonly string[], dflt: string): Sku {
  if (sku === undefined) return { name: dflt };
  return { name: oneOf(sku.name, allowed, 'sku.name'), tier: sku.tier };
}

export function intInRange(v: number | undefined, lo: number, hi: number, dflt: number, field: string): number {
  const n = v ?? dflt;
  if (!Number.isInteger(n) || n < lo || n > hi) throw invalidFormat(`${field} ${n} is out of range (${lo}-${hi}).`);
  return n;
}
