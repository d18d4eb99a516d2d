// What startSignalServer checks before it serves: a secret tokens can use and an address it can bind.
// Bad configuration stops the server at start with a typed error instead of failing every login later.
import type { Server } from 'node:http';
import { createToken, type TokenSecret } from '@handset/token';
import { SignalingError } from '../signaling-error.js';

/** Throws the token code's own `invalid-argument` HandsetError for a secret it would refuse (< 16 bytes). */
export function checkTokenSecret(secret: TokenSecret): void {
  // Signing once applies exactly the rule every login would hit, so the two can never disagree.
  createToken('secret-check', secret, 1);
}

/** Binds `http`; Node's bare listen errors become `address-in-use` / `listen-failed` SignalingErrors. */

export async function listenOn(http: Server, port: number, host: string): Promise<void> {
  try {
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(port, host, () => {
        http.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      throw SignalingError.of('address-in-use', `${where} is already in use by another process`, error);
    }
    throw SignalingError.of('listen-failed', `cannot listen on ${where}: ${String(error)}`, error);
  }
}
