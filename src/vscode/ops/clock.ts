/**
 * The clock the operations layer reads: the system clock unless a test swaps in its own
 * (integration tests drive the rollout and drill timers without waiting).
 */
import { systemClock, type Clock } from '../../core/cutover';

export class SwitchableClock implements Clock {
  private current: Clock = systemClock;

  /** Replaces the clock; undefined restores the system clock. */
  set(clock: Clock | undefined): void {
    this.current = clock ?? systemClock;
  }

  now(): number {
    return this.current.now();
  }

  setTimeout(fn: () => void, ms: number): unknown {
    return { clock: this.current, handle: this.current.setTimeout(fn, ms) };
  }

  clearTimeout(handle: unknown): void {
    const h = handle as { clock?: Clock; handle?: unknown } | undefined;
    if (h?.clock) h.clock.clearTimeout(h.handle);
  }
}
