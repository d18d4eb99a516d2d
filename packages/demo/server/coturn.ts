// The demo's own coturn on 127.0.0.1 when `turnserver` is installed (never the Debian service): a fresh
// shared secret each run, a bounded relay port range, stopped by its PID. Without coturn the demo runs as
// before (direct connections only) and the page's "Relay only" has no relay to use.
import { randomBytes } from 'node:crypto';
import { hasTurnServer, startTurnServer, type TurnServer } from '@handset/test-support/turn-server';

export type { TurnServer };

/** Starts coturn if it is installed; null when it is not (or does not come up: the demo goes on without). */
export async function startDemoRelay(): Promise<TurnServer | null> {
  if (!(await hasTurnServer())) return null;
  try {
    return await startTurnServer({ secret: randomBytes(24).toString('base64url'), realm: 'handset.demo' });
  } catch {
    return null;
  }
}
