// The client id rule both shipped brokers enforce: `<userId>:<device>`, so a client id names its user and
// nobody can resume or take over another user's session by reusing its (public) client id.

/** A device name: what follows the last ":" of a client id. */
const DEVICE = /^[A-Za-z0-9_-]{1,64}$/;

/** The device part of `clientId` if it is `<userId>:<device>`, else null. */
export function deviceOf(clientId: string, userId: string): string | null {
  const colon = clientId.lastIndexOf(':');
  if (colon < 0 || clientId.slice(0, colon) !== userId) return null;
  const device = clientId.slice(colon + 1);
  return DEVICE.test(device) ? device : null;
}
