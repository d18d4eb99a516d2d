// A token is checked when a connection opens, and its expiry still holds afterwards: the broker
// disconnects the client when its token expires (MQTT 5 reason 0x A0, "maximum connect time"); the client
// reconnects with a fresh token from its token function.

import type { BoundLogger as Log } from '@handset/core';
import type { Aedes, Client } from 'aedes';

/** MQTT 5 DISCONNECT reason "maximum connect time": the connection's authorized time is over. */
export const MAXIMUM_CONNECT_TIME = 0xa0;
/** setTimeout's largest delay; a later expiry is re-armed when this one fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export function disconnectAtTokenExpiry(
  aedes: Aedes,
  expiresAt: (client: Client) => number | undefined,
  now: () => number,
  log: Log,
): void {
  const timers = new WeakMap<Client, NodeJS.Timeout>();
  function arm(client: Client): void {
    const at = expiresAt(client);
    if (at === undefined) return;
    const left = at - now();
    if (left > MAX_TIMER_MS) {
      timers.set(
        client,
        setTimeout(() => arm(client), MAX_TIMER_MS),
      );
      return;
    }
    timers.set(
      client,
      setTimeout(
        () => {
          log('info', 'token-expired', { clientId: client.id, code: 'token-expired' });
          client.disconnect({ reasonCode: MAXIMUM_CONNECT_TIME }, () => {});
        },
        Math.max(0, left),
      ),
    );
  }
  aedes.on('clientReady', arm);
  aedes.on('clientDisconnect', (client) => {
    clearTimeout(timers.get(client));
    timers.delete(client);
  });
}
