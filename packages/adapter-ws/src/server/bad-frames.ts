// A connection's bad frames, counted from its first: how many more it may send before it is closed (a
// bucket refilling one per second) and whether this one is still logged, so a hostile client cannot flood
// the log. Made at the first bad frame: most connections never send one and hold no record.
import { type Flow, TokenBucket } from './rate-limiter.js';

/** Bad frames logged per connection; the last one logged says the rest are muted. */
const MAX_LOGGED_BAD_FRAMES = 5;

/** What to do with one more bad frame: close the connection, or answer it (and log it, and say muted). */
export type BadFrameVerdict = 'close' | 'answer' | 'answer-and-log' | 'answer-log-and-mute';

export class BadFrames {
  private answered = 0;
  private readonly allowance: TokenBucket;

  constructor(flow: Flow) {
    this.allowance = new TokenBucket(flow);
  }

  /** One more bad frame; `counts` false for a rate refusal (the sender's pace, not garbage). */
  record(counts: boolean): BadFrameVerdict {
    if (counts && !this.allowance.take()) return 'close';
    this.answered += 1;
    if (this.answered < MAX_LOGGED_BAD_FRAMES) return 'answer-and-log';
    return this.answered === MAX_LOGGED_BAD_FRAMES ? 'answer-log-and-mute' : 'answer';
  }
}
