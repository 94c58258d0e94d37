// How long ARM asks us to wait, from a response's headers. Azure sends `retry-after-ms` or
// `x-ms-retry-after-ms` (milliseconds) and the standard `Retry-After` (seconds, or an HTTP date).

/** Response headers as both @azure/core-rest-pipeline's HttpHeaders and a plain lookup expose them. */
export interface HeaderLookup {
  get(name: string): string | undefined;
}

const MS_HEADERS = ['retry-after-ms', 'x-ms-retry-after-ms'] as const;

/** Milliseconds to wait from `now`, or null when the headers carry no usable value. */
export function retryAfterMsOf(headers: HeaderLookup | undefined, now: number): number | null {
  if (!headers) return null;
  for (const name of MS_HEADERS) {
    const ms = nonNegativeNumber(headers.get(name));
    if (ms !== null) return Math.ceil(ms);
  }
  const value = headers.get('retry-after')?.trim();
  if (value === undefined || value === '') return null;
  const seconds = nonNegativeNumber(value);
  if (seconds !== null) return Math.ceil(seconds * 1_000);
  const at = Date.parse(value);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - now);
}

function nonNegativeNumber(value: string | undefined): number | null {
  if (value === undefined || !/^\s*\d+(\.\d+)?\s*$/.test(value)) return null;
  return Number(value);
}
