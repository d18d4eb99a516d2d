// The welcome frame a login is answered with, written from a template: its kind and the server's grace
// period are the same for every connection, so only the user, session and resume flag are encoded each time.
import { encodeControlFrame } from '../control-frames.js';
import type { TurnRelay } from './turn-relay.js';

/** One per server: what every welcome of this server says. */
export class WelcomeFrames {
  private readonly tail: string;

  constructor(
    private readonly graceMs: number,
    private readonly turn: TurnRelay | undefined,
  ) {
    this.tail = `,"graceMs":${JSON.stringify(graceMs)}}`;
  }

  /** The welcome for `userId`'s session `sessionId` (a user id may hold `"` or `\`: it is encoded). */
  for(userId: string, sessionId: string, resumed: boolean): string {
    const { turn } = this;
    if (turn) {
      const iceServers = turn.iceServersFor(userId);
      return encodeControlFrame({
        kind: 'welcome',
        userId,
        sessionId,
        resumed,
        graceMs: this.graceMs,
        iceServers,
      });
    }
    return `{"kind":"welcome","userId":${JSON.stringify(userId)},"sessionId":${JSON.stringify(sessionId)},"resumed":${resumed}${this.tail}`;
  }
}
