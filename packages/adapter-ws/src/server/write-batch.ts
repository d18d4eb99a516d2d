// Frames written to one socket within one event-loop turn leave together: the socket is corked at its first
// frame and uncorked once the turn's work is done, so a burst to one peer is one writev (one wake-up) each.
import type { Duplex } from 'node:stream';

/** The slice of a TCP socket the batch uses. */
export type Corkable = Pick<Duplex, 'cork' | 'uncork' | 'writableCorked'>;

/** One per server: the sockets corked during the current turn, uncorked together at its end. */
export class WriteBatch {
  private corked: Corkable[] = [];
  private readonly flush = (): void => {
    const corked = this.corked;
    this.corked = [];
    // Uncorking a destroyed socket writes nothing: what it held is dropped with it, as any pending write is.
    for (const socket of corked) socket.uncork();
  };

  /**
   * Call before writing a frame to `socket`. ws corks around each frame itself and uncorks at once, so a
   * socket still corked between frames is one this batch holds.
   */
  hold(socket: Corkable): void {
    if (socket.writableCorked > 0) return;
    socket.cork();
    if (this.corked.push(socket) === 1) process.nextTick(this.flush);
  }
}
