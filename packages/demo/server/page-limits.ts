// What the demo's page server (http and https listeners) allows one client, in one table: the README's
// limits table is checked against it. The servers behind /signal and /mqtt enforce their own limits.

export interface PageServerLimits {
  /** Sockets open at once on each listener: page loads, assets and forwarded WebSockets alike. */
  maxConnections: number;
  /** Time to send the request headers (a WebSocket upgrade request included); then 408 and close. */
  headersTimeoutMs: number;
  /** Largest request header block; a larger one is answered 431 and closed. */
  maxHeaderBytes: number;
}

export const PAGE_SERVER_LIMITS: Readonly<PageServerLimits> = Object.freeze({
  maxConnections: 256,
  headersTimeoutMs: 10_000,
  maxHeaderBytes: 16_384,
});

/** What each limit means and what a client meets when it is exceeded, for the README table. */
export const PAGE_SERVER_LIMIT_EFFECTS: Readonly<Record<keyof PageServerLimits, string>> = Object.freeze({
  maxConnections: 'a further socket is closed at once, before any byte is read',
  headersTimeoutMs: 'HTTP 408, socket closed (slow or silent clients cannot hold sockets)',
  maxHeaderBytes: 'HTTP 431, socket closed',
});
