/**
 * Keep-alive connection pools: one undici Agent per origin (and connect timeout), shared by every
 * check that talks to that origin. The composition root disposes them on deactivate / CLI exit.
 */
import { Agent, type Dispatcher } from 'undici';

export interface PoolOptions {
  readonly connectTimeoutMs: number;
}

export type DispatcherFactory = (origin: string, options: PoolOptions) => Dispatcher;

export const defaultDispatcherFactory: DispatcherFactory = (_origin, { connectTimeoutMs }) =>
  new Agent({
    connect: { timeout: connectTimeoutMs },
    keepAliveTimeout: 10_000,
    keepAliveMaxTimeout: 60_000,
    pipelining: 1,
  });

export class HttpPools {
  private readonly pools = new Map<string, Dispatcher>();

  constructor(private readonly factory: DispatcherFactory = defaultDispatcherFactory) {}

  /** The shared dispatcher for an origin (`http://host:port`). */
  get(origin: string, options: PoolOptions): Dispatcher {
    const key = `${origin} ${options.connectTimeoutMs}`;
    let d = this.pools.get(key);
    if (!d) {
      d = this.factory(origin, options);
      this.pools.set(key, d);
    }
    return d;
  }

  get size(): number {
    return this.pools.size;
  }

  /** Closes every pool (in-flight requests are destroyed after a short grace). Later requests open new pools. */
  async dispose(graceMs = 1000): Promise<void> {
    const all = [...this.pools.values()];
    this.pools.clear();
    const wait = (ms: number) => new Promise<'late'>((r) => setTimeout(() => r('late'), ms).unref());
    await Promise.all(
      all.map(async (d) => {
        // Close gracefully; whatever is still in flight after a grace period is destroyed. Never hang.
        const closed = await Promise.race([d.close().then(() => 'ok' as const, () => 'late' as const), wait(graceMs)]);
        if (closed !== 'ok') await Promise.race([d.destroy().catch(() => {}), wait(graceMs)]);
      }),
    );
  }
}
