// How many searches the team server runs at once: up to `maxConcurrent`, then
// up to `maxQueue` waiting in arrival order (each at most `maxWaitMs`); past
// that a request is refused at once (503 busy), so a flood never piles up
// unanswered requests or database connections.
export interface LimiterOptions {
  maxConcurrent: number;
  maxQueue: number;
  /** How long a request may wait for its turn before it is refused. */
  maxWaitMs: number;
}

export type Release = () => void;

interface Waiter {
  grant: (r: Release) => void;
  refuse: (why: 'queue_full' | 'waited_too_long' | 'cancelled') => void;
  timer: NodeJS.Timeout;
}

export class LimiterRefusal extends Error {
  constructor(readonly why: 'queue_full' | 'waited_too_long' | 'cancelled', message: string) { super(message); this.name = 'LimiterRefusal'; }
}

export class Limiter {
  private running = 0;
  private readonly queue: Waiter[] = [];

  constructor(private readonly opts: LimiterOptions) {
    if (!(opts.maxConcurrent >= 1) || !(opts.maxQueue >= 0)) throw new Error('Limiter: maxConcurrent must be at least 1 and maxQueue at least 0');
  }

  get inFlight(): number { return this.running; }
  get waiting(): number { return this.queue.length; }

  /** A turn: call the release once done (twice is harmless). Rejects with LimiterRefusal; `signal` cancels a wait. */
  acquire(signal?: AbortSignal): Promise<Release> {
    if (this.running < this.opts.maxConcurrent) return Promise.resolve(this.grant());
    if (this.queue.length >= this.opts.maxQueue) {
      return Promise.reject(new LimiterRefusal('queue_full', `the server is busy: ${this.running} searches running and ${this.queue.length} waiting`));
    }
    return new Promise<Release>((resolve, reject) => {
      const w: Waiter = {
        grant: resolve,
        refuse: (why) => reject(new LimiterRefusal(why, why === 'waited_too_long'
          ? `the server is busy: no turn within ${Math.round(this.opts.maxWaitMs / 1000)} s`
          : 'the request was cancelled while waiting')),
        timer: setTimeout(() => this.drop(w, 'waited_too_long'), this.opts.maxWaitMs),
      };
      this.queue.push(w);
      signal?.addEventListener('abort', () => this.drop(w, 'cancelled'), { once: true });
    });
  }

  private drop(w: Waiter, why: 'waited_too_long' | 'cancelled'): void {
    const i = this.queue.indexOf(w);
    if (i < 0) return;
    this.queue.splice(i, 1);
    clearTimeout(w.timer);
    w.refuse(why);
  }

  private grant(): Release {
    this.running++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.running--;
      const next = this.queue.shift();
      if (next) {
        clearTimeout(next.timer);
        next.grant(this.grant());
      }
    };
  }
}
