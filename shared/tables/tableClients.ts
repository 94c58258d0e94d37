// Small things every Table Storage user here needs, written once.
import type { TableClient } from '@azure/data-tables';

type AbortSignalLike = NonNullable<Parameters<TableClient['createTable']>[0]>['abortSignal'];

/** The HTTP status of an Azure SDK error (RestError puts it on `statusCode`; `code` is often unset). */
export function statusCodeOf(e: unknown): number | undefined {
  if (typeof e === 'object' && e !== null && 'statusCode' in e && typeof e.statusCode === 'number') return e.statusCode;
  return undefined;
}

/**
 * Creates the table on first use, once per client: an existing table (409 TableAlreadyExists) is
 * fine, and a failure is tried again on the next call instead of being remembered.
 */
export function tableCreator(client: TableClient): (abortSignal?: AbortSignalLike) => Promise<void> {
  let ready: Promise<void> | null = null;
  return (abortSignal) => {
    ready ??= client.createTable({ abortSignal }).catch((e: unknown) => {
      if (statusCodeOf(e) === 409) return;
      ready = null;
      throw e;
    });
    return ready;
  };
}
