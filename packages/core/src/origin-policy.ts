// Which browser origins may reach a Handset server (the signaling server, the embedded broker's WebSocket
// listener). Browsers send `Origin` and cannot forge it: this stops a page on another site using a local one.

/** Development's default: pages served from this machine only. */
export const DEV_ALLOWED_ORIGINS: readonly string[] = [
  'http://localhost:*',
  'https://localhost:*',
  'http://127.0.0.1:*',
  'https://127.0.0.1:*',
  'http://[::1]:*',
  'https://[::1]:*',
];

/** Production's default keeps servers that predate the option working; set it to your app's origins. */
export const DEFAULT_ALLOWED_ORIGINS: readonly string[] = ['*'];

export interface OriginPolicy {
  /** `undefined` (no `Origin` header: not a browser) is allowed; a browser's origin must be on the list. */
  allows(origin: string | undefined): boolean;
  readonly entries: readonly string[];
}

/** Entries are exact origins (`https://app.example.com`), a host with any port (`http://localhost:*`), or `*`. */
export function createOriginPolicy(entries: readonly string[]): OriginPolicy {
  const exact = new Set<string>();
  const anyPort: string[] = [];
  let allowsEvery = false;
  for (const entry of entries) {
    if (entry === '*') allowsEvery = true;
    else if (entry.endsWith(':*')) anyPort.push(entry.slice(0, -1).toLowerCase());
    else exact.add(entry.toLowerCase());
  }
  return {
    entries,
    allows(origin) {
      if (origin === undefined || allowsEvery) return true;
      const normalized = origin.toLowerCase();
      if (exact.has(normalized)) return true;
      // `http://localhost:*` matches `http://localhost:5173`, never `http://localhost.evil.com:80`.
      return anyPort.some(
        (prefix) => normalized.startsWith(prefix) && /^\d{1,5}$/.test(normalized.slice(prefix.length)),
      );
    },
  };
}
