// Inbox frames wait for the link to say `open`. What the broker held for our session arrives right after
// CONNACK, before our subscriptions and presence are set up; a phone hearing it first would act as if its link
// were still down (a call back from a broker restart would answer the peer's ICE restart, then restart again).

/**
 * Frames kept while the link is not open; past this the oldest go. The broker's own session queue is smaller
 * (mosquitto's default is 1,000 messages, and a call needs a handful), so only a link that never opens while
 * the broker keeps redelivering reaches it: what it holds must not grow with that.
 */
export const MAX_HELD_FRAMES = 512;

export class OpenGate {
  /** Frames waiting for `open`; null while the link is open and frames pass at once. */
  private held: string[] | null = [];

  constructor(
    private readonly pass: (frame: string) => void,
    private readonly maxHeld = MAX_HELD_FRAMES,
  ) {}

  /** A frame from our inbox: passed on now if the link is open, else kept (in order) until it is. */
  offer(frame: string): void {
    if (!this.held) {
      this.pass(frame);
      return;
    }
    this.held.push(frame);
    if (this.held.length > this.maxHeld) this.held.shift();
  }

  /** The link says `open`: kept frames go right after everyone has heard it (a microtask later), in order. */
  open(): void {
    queueMicrotask(() => {
      const held = this.held ?? [];
      this.held = null;
      for (const frame of held) this.pass(frame);
    });
  }

  /** The link is down (or not yet up): frames wait again. */
  shut(): void {
    this.held ??= [];
  }
}
