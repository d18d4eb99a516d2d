// The ICE servers an MQTT transport offers its phone: the one reader of what arrives on the connection's ice
// topic (or comes back from the app's source), and the schedule that asks the app's source again before expiry.
import type { BoundLogger, Clock, IceServerConfig } from '@handset/core';

/** Limits on a set of ICE servers: TURN URLs and REST API credentials are short (the WebSocket adapter's bounds). */
export const ICE_SERVER_LIMITS = Object.freeze({ maxServers: 8, maxUrls: 8, maxTextLength: 512 });

/** What a source of ICE servers gives: the app's function for brokers that hand out none (mosquitto). */
export type IceServersSource = () => Promise<IceServerConfig[]>;

const isIceText = (value: unknown): value is string =>
  typeof value === 'string' && value.length > 0 && value.length <= ICE_SERVER_LIMITS.maxTextLength;

/** A well-formed set, copied to its known fields, or null: never throws, never calls anything it was given. */
export function readIceServers(value: unknown): IceServerConfig[] | null {
  if (!Array.isArray(value) || value.length > ICE_SERVER_LIMITS.maxServers) return null;
  const servers: IceServerConfig[] = [];
  for (const entry of value) {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return null;
    const { urls, username, credential } = entry as Record<string, unknown>;
    const urlsOk =
      isIceText(urls) ||
      (Array.isArray(urls) &&
        urls.length > 0 &&
        urls.length <= ICE_SERVER_LIMITS.maxUrls &&
        urls.every(isIceText));
    if (!urlsOk) return null;
    if (username !== undefined && !isIceText(username)) return null;
    if (credential !== undefined && !isIceText(credential)) return null;
    servers.push({
      urls: Array.isArray(urls) ? [...(urls as string[])] : (urls as string),
      ...(username !== undefined ? { username } : {}),
      ...(credential !== undefined ? { credential } : {}),
    });
  }
  return servers;
}

/** A payload from the ice topic: JSON text of a set of servers, or null. */
export function parseIceServersPayload(text: string): IceServerConfig[] | null {
  try {
    return readIceServers(JSON.parse(text));
  } catch {
    return null;
  }
}

/** How soon to ask again without an expiry to go by (TURN REST usernames carry one), or after a failure. */
export const DEFAULT_ICE_REFRESH_MS = 45 * 60 * 1000;
export const ICE_RETRY_MS = 30_000;
/** setTimeout's largest delay. */
const MAX_DELAY_MS = 2_147_483_647;

/**
 * Three quarters of the time left on the earliest TURN REST credential (username `<unix expiry>:<user>`),
 * so a fresh set is in hand well before the old one stops working.
 */
export function refreshDelayMs(servers: IceServerConfig[], now: number): number {
  const expiries = servers
    .map((server) => /^(\d{9,12}):/.exec(server.username ?? '')?.[1])
    .filter((expiry): expiry is string => expiry !== undefined)
    .map((expiry) => Number(expiry) * 1000);
  if (expiries.length === 0) return DEFAULT_ICE_REFRESH_MS;
  const left = Math.min(...expiries) - now;
  return Math.min(MAX_DELAY_MS, Math.max(1000, Math.floor(left * 0.75)));
}

const PLATFORM_CLOCK: Clock = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * Calls `source` now and again before what it gave expires; a throw or a malformed answer keeps the last good
 * set and tries again in `ICE_RETRY_MS`. The servers themselves are never logged (they hold credentials).
 * Returns the stop function.
 */
export function pollIceServers(
  source: IceServersSource,
  offer: (servers: IceServerConfig[]) => void,
  log: BoundLogger,
  clock: Clock = PLATFORM_CLOCK,
): () => void {
  let stopped = false;
  let timer: unknown;
  const ask = async () => {
    let servers: IceServerConfig[] | null = null;
    try {
      servers = readIceServers(await source());
      if (!servers) log('warn', 'ice-servers-dropped', { code: 'malformed', from: 'source' });
    } catch (error) {
      log('warn', 'ice-servers-unavailable', { error: error instanceof Error ? error.name : 'non-error' });
    }
    if (stopped) return;
    if (servers) offer(servers);
    timer = clock.setTimeout(() => void ask(), servers ? refreshDelayMs(servers, Date.now()) : ICE_RETRY_MS);
  };
  void ask();
  return () => {
    stopped = true;
    clock.clearTimeout(timer);
  };
}
