// A clock for XState's delays that only moves when a test moves it, and that knows which phone set
// each pending timer (so a test can check that an ended call left none behind).
import type { Clock } from '../src/index.js';

export interface PendingTimer {
  readonly handle: number;
  readonly owner: string;
  readonly due: number;
  readonly delayMs: number;
}

interface Timer extends PendingTimer {
  readonly callback: () => void;
}

/** Lets every queued promise job run: the fakes and the memory network do all their work in microtasks. */
export const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class ManualClock {
  now = 0;
  private lastHandle = 0;
  private readonly timers = new Map<number, Timer>();

  /** The clock one phone is given; every timer it sets is tagged with `owner`. */
  for(owner: string): Clock {
    return {
      setTimeout: (callback, delayMs) => {
        const handle = ++this.lastHandle;
        this.timers.set(handle, { handle, owner, due: this.now + delayMs, delayMs, callback });
        return handle;
      },
      clearTimeout: (handle) => {
        this.timers.delete(handle as number);
      },
    };
  }

  /** Timers set and not yet fired nor cleared, oldest first. */
  pending(owner?: string): PendingTimer[] {
    return [...this.timers.values()]
      .filter((timer) => owner === undefined || timer.owner === owner)
      .map(({ handle, owner, due, delayMs }) => ({ handle, owner, due, delayMs }));
  }

  /** The handle of the newest timer set so far (timers are numbered in the order they were set). */
  get lastHandleSet(): number {
    return this.lastHandle;
  }

  /**
   * Moves time forward by `ms`, firing each timer that falls due in order, and letting queued promise
   * jobs run after each one, as an event loop does between two timer callbacks. Bounded, so a timer that
   * keeps re-arming itself at zero delay cannot hang a test.
   */
  async advance(ms: number, maxFirings = 200): Promise<number> {
    const until = this.now + ms;
    let fired = 0;
    for (; fired < maxFirings; fired++) {
      const next = this.nextDue();
      if (!next || next.due > until) break;
      this.timers.delete(next.handle);
      this.now = Math.max(this.now, next.due);
      next.callback();
      await settle();
    }
    this.now = Math.max(this.now, until);
    return fired;
  }

  /** Fires the next timer to fall due, if any (moving time to it). */
  async fireNext(): Promise<boolean> {
    const next = this.nextDue();
    if (!next) return false;
    await this.advance(next.due - this.now, 1);
    return true;
  }

  private nextDue(): Timer | undefined {
    let best: Timer | undefined;
    for (const timer of this.timers.values()) {
      if (!best || timer.due < best.due || (timer.due === best.due && timer.handle < best.handle))
        best = timer;
    }
    return best;
  }
}
