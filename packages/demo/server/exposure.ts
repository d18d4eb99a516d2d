// Whether the demo is reachable from other machines, and what it tells the user when it is: a dev server
// that hands out tokens for any id must never be exposed without saying so.

/** True for an address only this machine can reach (127.0.0.0/8, ::1, localhost). */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** The banner for a non-loopback listener, or null on loopback. */
export function exposureWarning(host: string, pageHosts: readonly string[]): string | null {
  if (isLoopbackHost(host)) return null;
  return [
    `!!! EXPOSED TO THE NETWORK: listening on ${host}, not just this machine.`,
    '!!! Anyone who can reach this machine can get a demo token for ANY user id and log in as that user',
    '!!! (dev mode: no passwords). /demo/token, /signal and /mqtt answer only pages opened under',
    `!!! ${pageHosts.join(', ')}.`,
    '!!! Use it on a network you trust, and stop it when you are done.',
  ].join('\n');
}
