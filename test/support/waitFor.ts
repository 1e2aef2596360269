/**
 * The one polling wait for tests: `waitFor(predicate, { timeout, interval, what })` calls
 * `predicate` (sync or async) until it returns a truthy value and resolves with that value, or
 * rejects with "timed out after N ms waiting for <what>" once `timeout` has passed. It is a wait,
 * not a timing assertion: the limits are generous because the tests run on busy machines.
 * No vscode import, so the unit tests, the CLI tests and the VS Code integration suites share it.
 */
export interface WaitOptions {
  /** How long to keep trying, in ms (default 20 000). */
  readonly timeout?: number;
  /** Pause between tries, in ms (default 50). */
  readonly interval?: number;
  /** What is awaited, for the timeout message (a function is asked at the timeout, to show the state then). */
  readonly what?: string | (() => string);
}

export async function waitFor<T>(
  predicate: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  options: WaitOptions = {},
): Promise<T> {
  const timeout = options.timeout ?? 20_000;
  const interval = options.interval ?? 50;
  const end = Date.now() + timeout;
  for (;;) {
    const v = await predicate();
    if (v) return v;
    if (Date.now() >= end) {
      const what = typeof options.what === 'function' ? options.what() : options.what ?? 'the condition';
      throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, interval));
  }
}
