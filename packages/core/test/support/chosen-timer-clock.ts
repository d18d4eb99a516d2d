// A clock for XState's delays where the test, not time, decides which pending timer elapses next: the
// model picks a timer event, and the test fires exactly that one.
import type { Clock } from '../../src/index.js';

export interface PendingTimer {
  readonly handle: number;
  readonly delayMs: number;
}

export class ChosenTimerClock implements Clock {
  private lastHandle = 0;
  private readonly timers = new Map<number, PendingTimer & { callback: () => void }>();

  setTimeout(callback: () => void, delayMs: number): number {
    const handle = ++this.lastHandle;
    this.timers.set(handle, { handle, delayMs, callback });
    return handle;
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  /** Timers set and neither fired nor cleared, oldest first. */
  pending(): PendingTimer[] {
    return [...this.timers.values()].map(({ handle, delayMs }) => ({ handle, delayMs }));
  }

  /** Fires the oldest pending timer set for `delayMs`; throws if there is none (the model and the machine disagree). */
  fire(delayMs: number): void {
    const timer = [...this.timers.values()].find((candidate) => candidate.delayMs === delayMs);
    if (!timer) {
      throw new Error(
        `no pending ${delayMs} ms timer (pending: ${this.pending()
          .map((t) => t.delayMs)
          .join(', ')})`,
      );
    }
    this.timers.delete(timer.handle);
    timer.callback();
  }
}
