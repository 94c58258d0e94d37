// Time for the adapters, injected so that tests run on a fake clock: what time it is, and an
// abortable wait. The abort signal may be a DOM AbortSignal or the SDK's AbortSignalLike.

export interface Clock {
  now(): number;
}

/** The SDK's AbortSignalLike (@azure/abort-controller), which a DOM AbortSignal also satisfies. */
export interface AbortSignalLike {
  readonly aborted: boolean;
  addEventListener(type: 'abort', listener: (ev: unknown) => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: (ev: unknown) => void): void;
}

/** Waits `ms`; rejects with the abort reason as soon as `signal` aborts (at once if it already has). */
export type Sleep = (ms: number, signal?: AbortSignalLike) => Promise<void>;

export const systemClock: Clock = { now: () => Date.now() };

export const systemSleep: Sleep = (ms, signal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortReason(signal));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortReason(signal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, Math.max(0, ms));
    signal?.addEventListener('abort', onAbort, { once: true });
  });

export function throwIfAborted(signal: AbortSignalLike | undefined): void {
  if (signal?.aborted) throw abortReason(signal);
}

/** The signal's reason when it is an error (a DOM AbortSignal's default is an AbortError
 * DOMException), else an AbortError (with the reason as its message when that is a string). */
export function abortReason(signal: AbortSignalLike | undefined): Error {
  const reason: unknown = signal !== undefined && 'reason' in signal ? signal.reason : undefined;
  if (reason instanceof Error) return reason;
  const message = typeof reason === 'string' ? reason : 'The operation was aborted.';
  return new DOMException(message, 'AbortError');
}

/** `promise`, or the abort reason as soon as `signal` aborts (the promise itself runs on). */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignalLike | undefined): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) return Promise.reject(abortReason(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
