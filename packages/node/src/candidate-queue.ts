// Holds werift's ICE candidates until no setLocalDescription() is running: werift surfaces them while it
// runs, a browser only after it resolved, so an offer must always be sent before its candidates.
import type { IceCandidateEventPort } from '@handset/core';

export class CandidateQueue {
  private readonly pending: IceCandidateEventPort[] = [];
  private localDescriptionsInFlight = 0;
  private flushScheduled = false;

  constructor(private readonly emit: (event: IceCandidateEventPort) => void) {}

  push(event: IceCandidateEventPort): void {
    this.pending.push(event);
    this.scheduleFlush();
  }

  /** Runs one setLocalDescription(); candidates wait until every such run has finished. */
  async whileDescribing(apply: () => Promise<void>): Promise<void> {
    this.localDescriptionsInFlight += 1;
    try {
      await apply();
    } finally {
      this.localDescriptionsInFlight -= 1;
      this.scheduleFlush();
    }
  }

  clear(): void {
    this.pending.length = 0;
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.localDescriptionsInFlight > 0) return;
    if (this.pending.length === 0) return;
    this.flushScheduled = true;
    // A macrotask: whoever awaited setLocalDescription() runs (and sends the description) first.
    setImmediate(() => {
      this.flushScheduled = false;
      if (this.localDescriptionsInFlight > 0) return;
      for (const event of this.pending.splice(0)) this.emit(event);
    });
  }
}
