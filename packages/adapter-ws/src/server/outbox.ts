// What a session keeps until its client acknowledges it: the frames sent (or still to send), in order,
// each with its size and the time it was queued. Frames, not envelopes: a slow client holds one string
// per envelope, not an object graph the collector must copy and mark.
import type { Envelope } from '@handset/core';

/** How much a session keeps unacknowledged (one object per server, shared by its sessions). */
export interface OutboxBounds {
  maxFrames: number;
  /** The oldest are dropped beyond this many bytes (a client that never acknowledges). */
  maxBytes: number;
}

/** Made at a session's first frame: a session nothing was sent to holds no outbox. */
export class Outbox {
  private frames: string[] = [];
  private sizes: number[] = [];
  /** When each frame was queued (a packed array of doubles: no boxed number per frame). */
  private queuedAt: number[] = [];
  private bytes = 0;
  /** Position of the oldest frame held in everything this session was sent (clients acknowledge by count). */
  private first = 0;

  constructor(private readonly bounds: OutboxBounds) {}

  /** Bytes of the frames held. */
  get queuedBytes(): number {
    return this.bytes;
  }

  /** Keeps `frame` (queued at `now`); true when older ones were dropped to stay within the bounds. */
  push(frame: string, now: number): boolean {
    const { frames, sizes, queuedAt, bounds } = this;
    const size = Buffer.byteLength(frame);
    frames.push(frame);
    sizes.push(size);
    queuedAt.push(now);
    this.bytes += size;
    let dropped = false;
    while (frames.length > 1 && (frames.length > bounds.maxFrames || this.bytes > bounds.maxBytes)) {
      this.drop(1);
      dropped = true;
    }
    return dropped;
  }

  /** The client has received `received` frames of this session so far: those are forgotten. */
  acknowledge(received: number): void {
    const count = Math.min(received - this.first, this.frames.length);
    if (count > 0) this.drop(count);
  }

  /** Each held frame with how long it has waited at `now`, oldest first. */
  *held(now: number): Generator<{ frame: string; waitedMs: number }> {
    const { frames } = this;
    for (let i = 0; i < frames.length; i += 1) {
      yield { frame: frames[i] as string, waitedMs: now - (this.queuedAt[i] as number) };
    }
  }

  /** Empties the outbox; what it held, decoded (frames the server itself encoded or validated). */
  takeAll(): Envelope[] {
    const { frames } = this;
    this.first += frames.length;
    this.frames = [];
    this.sizes = [];
    this.queuedAt = [];
    this.bytes = 0;
    return frames.map((frame) => JSON.parse(frame) as Envelope);
  }

  private drop(count: number): void {
    const { frames } = this;
    for (let i = 0; i < count; i += 1) this.bytes -= this.sizes[i] as number;
    if (count === 1) {
      frames.shift();
      this.sizes.shift();
      this.queuedAt.shift();
    } else {
      this.frames = frames.slice(count);
      this.sizes = this.sizes.slice(count);
      this.queuedAt = this.queuedAt.slice(count);
    }
    this.first += count;
  }
}
