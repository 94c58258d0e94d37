// What a debug request asks for, or why it is refused (400): the page size and where to resume.
// The continuation token is opaque to clients: base64url of the view and the last key served.
import type { DebugView } from './debugViews.ts';

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1_000;
/** A token longer than this cannot have come from us (keys are names, IPs and row keys). */
const MAX_TOKEN_CHARS = 4_096;
const LIMIT = /^[1-9][0-9]{0,3}$/;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

export type PageRequest =
  | { readonly ok: true; readonly limit: number; readonly after: string | null }
  | { readonly ok: false; readonly reason: string };

export function continuationToken(view: DebugView, lastKey: string): string {
  return Buffer.from(JSON.stringify({ view, after: lastKey }), 'utf8').toString('base64url');
}

/** The key a token resumes after, or null when it is not one this endpoint gave for this view. */
function tokenKey(view: DebugView, token: string): string | null {
  if (token.length > MAX_TOKEN_CHARS || !BASE64URL.test(token)) return null;
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (typeof decoded !== 'object' || decoded === null) return null;
  const { view: v, after } = decoded as Record<string, unknown>;
  if (v !== view || typeof after !== 'string') return null;
  // Only the exact encoding we produce: a token altered in any character does not resume somewhere else.
  return continuationToken(view, after) === token ? after : null;
}

export function pageRequest(view: DebugView, query: URLSearchParams): PageRequest {
  const limitText = query.get('limit');
  let limit = DEFAULT_LIMIT;
  if (limitText !== null) {
    if (!LIMIT.test(limitText) || Number(limitText) > MAX_LIMIT) return { ok: false, reason: `limit must be a whole number from 1 to ${MAX_LIMIT} (default ${DEFAULT_LIMIT})` };
    limit = Number(limitText);
  }
  const token = query.get('continuation');
  if (token === null) return { ok: true, limit, after: null };
  const after = tokenKey(view, token);
  if (after === null) return { ok: false, reason: `continuation is not a token this endpoint gave for the ${view} view; start again without it` };
  return { ok: true, limit, after };
}
