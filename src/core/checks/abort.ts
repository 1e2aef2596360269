/** Abort helpers shared by the check kinds. */

/**
 * Resolves like `p`, or rejects with the abort reason as soon as `signal` aborts (an unanswered
 * prompt or a hung request must not outlive the timeout or a cancel). `onLate` receives a value
 * that arrives after the abort, so the caller can release it (e.g. destroy a response body).
 */
export function untilAborted<T>(p: Promise<T>, signal: AbortSignal, onLate?: (value: T) => void): Promise<T> {
  const reason = () => (signal.reason instanceof Error ? signal.reason : new Error('cancelled'));
  if (signal.aborted) {
    if (onLate) p.then(onLate, () => {});
    return Promise.reject(reason());
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      if (onLate) p.then(onLate, () => {});
      reject(reason());
    };
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/** Waits `ms`, or rejects with the abort reason as soon as `signal` aborts. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
