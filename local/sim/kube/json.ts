// Narrowing and copying helpers for objects held as plain JSON.
import type { KubeObject } from './types.ts';

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function clone<T>(v: T): T {
  return structuredClone(v);
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  }
  if (isRecord(a) && isRecord(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

/** The object's metadata, created empty when absent (callers own `obj`). */
export function meta(obj: KubeObject): Record<string, unknown> {
  const m = obj['metadata'];
  if (isRecord(m)) return m;
  const fresh: Record<string, unknown> = {};
  obj['metadata'] = fresh;
  return fresh;
}

export function record(v: unknown): Record<string, unknown> {
  return isRecord(v) ? v : {};
}

export function records(v: unknown): Record<string, unknown>[] {
  return Array.isArray(v) ? v.filter(isRecord) : [];
}

export function text(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

export function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

export function stringMap(v: unknown): Record<string, string> {
  if (!isRecord(v)) return {};
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) if (typeof x === 'string') out[k] = x;
  return out;
}

export function nameOf(obj: KubeObject): string {
  return text(record(obj['metadata'])['name']);
}

export function namespaceOf(obj: KubeObject): string {
  return text(record(obj['metadata'])['namespace']);
}

export function resourceVersionOf(obj: KubeObject): string {
  return text(record(obj['metadata'])['resourceVersion']);
}

/** RFC 3339 with whole seconds, as metav1.Time serialises. */
export function timestamp(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** A shallow copy without the given top-level keys. */
export function omit(obj: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) if (!keys.includes(k)) out[k] = v;
  return out;
}

/** A value as it appears inside an error message. */
export function shown(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v) ?? String(v);
}
