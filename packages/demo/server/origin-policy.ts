// Who may use the demo's token endpoint and WebSocket forwards: only the page itself. The demo hands out
// tokens for any id, so a foreign website (or a DNS-rebound name) must not reach them from a browser.
import type { IncomingMessage } from 'node:http';
import { networkInterfaces } from 'node:os';

/** Why a request was refused; each is answered 403 with this word as the body. */
export type RequestRefusal =
  /** The browser says the request comes from a page of another origin (another site, port or scheme). */
  | 'foreign-origin'
  /** The Host header names none of this machine's addresses: a DNS-rebinding page, or a wrong URL. */
  | 'unknown-host';

export interface OriginPolicy {
  /** null when the request may proceed. `secure`: it arrived on the https listener. */
  check(request: IncomingMessage, secure: boolean): RequestRefusal | null;
  /** The host names (no ports) the page may be opened under. */
  readonly hosts: readonly string[];
}

const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]'];
const WILDCARD_ADDRESSES = new Set(['0.0.0.0', '::']);

/** The names a browser may use for this server, given the address it listens on. */
export function pageHosts(listenHost: string, extraHosts: readonly string[] = []): string[] {
  const hosts = new Set(LOOPBACK_HOSTS);
  if (WILDCARD_ADDRESSES.has(listenHost)) {
    for (const list of Object.values(networkInterfaces())) {
      for (const entry of list ?? []) {
        hosts.add(entry.family === 'IPv4' ? entry.address : `[${entry.address}]`);
      }
    }
  } else {
    hosts.add(listenHost.includes(':') ? `[${listenHost}]` : listenHost);
  }
  for (const host of extraHosts) hosts.add(host.toLowerCase());
  return [...hosts];
}

/** `host[:port]` → the lower-case host name as a URL writes it (IPv6 in brackets), or null if unparsable. */
function hostName(hostHeader: string): string | null {
  try {
    return new URL(`http://${hostHeader}`).hostname.toLowerCase();
  } catch {
    return null;
  }
}

/**
 * Same-origin only: the Origin (when a browser sends one) must be this very server as the page sees it
 * (scheme of the listener, the Host the request was sent to), and that host must be one of ours. Requests
 * without an Origin come from programs, not web pages, and are allowed.
 */
export function createOriginPolicy(hosts: readonly string[]): OriginPolicy {
  const allowed = new Set(hosts);
  return {
    hosts,
    check(request, secure) {
      const host = request.headers.host ?? '';
      const name = hostName(host);
      if (name === null || !allowed.has(name)) return 'unknown-host';
      const origin = request.headers.origin;
      if (origin === undefined) return null;
      return origin.toLowerCase() === `${secure ? 'https' : 'http'}://${host.toLowerCase()}`
        ? null
        : 'foreign-origin';
    },
  };
}
