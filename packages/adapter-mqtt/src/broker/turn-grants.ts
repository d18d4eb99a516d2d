// The TURN relay the embedded broker hands its users: fresh short-lived credentials (coturn's TURN REST API
// scheme, the signaling server's secret scheme) on each connection's own ice topic, and again before they expire.
import { type BoundLogger, HandsetError, type IceServerConfig, isValidId } from '@handset/core';
import { turnCredentials } from '@handset/token';
import type { Aedes, Client } from 'aedes';
import type { TopicLayout } from '../topics.js';

export interface BrokerTurnOptions {
  /** The relay's URLs as clients reach it, e.g. `['turn:turn.example.com:3478?transport=udp']`. */
  urls: string[];
  /** coturn's `static-auth-secret` (never logged). */
  secret: string;
  /** How long each set of credentials works. Default 86 400 (a day); 60 s to 7 days. */
  ttlSeconds?: number;
  /** How often a connected client is sent a fresh set. Default three quarters of the ttl; shorter only for tests. */
  refreshEveryMs?: number;
}

export const DEFAULT_BROKER_TURN_TTL_SECONDS = 86_400;

export interface TurnIssuer {
  issue(userId: string): IceServerConfig[];
  readonly ttlSeconds: number;
  readonly refreshEveryMs: number;
}

/** Checks the options once: a bad secret, URL, ttl or refresh period throws `invalid-argument` (startup, CLI). */
export function createTurnIssuer(options: BrokerTurnOptions): TurnIssuer {
  const ttlSeconds = options.ttlSeconds ?? DEFAULT_BROKER_TURN_TTL_SECONDS;
  const issue = (userId: string): IceServerConfig[] =>
    turnCredentials({ secret: options.secret, userId, ttlSeconds, urls: options.urls });
  issue('startup-check');
  const refreshEveryMs = options.refreshEveryMs ?? Math.floor(ttlSeconds * 750);
  if (!Number.isFinite(refreshEveryMs) || refreshEveryMs < 100 || refreshEveryMs >= ttlSeconds * 1000) {
    throw HandsetError.invalidArgument('turn.refreshEveryMs must be at least 100 and shorter than the ttl');
  }
  return { issue, ttlSeconds, refreshEveryMs };
}

/**
 * Publishes fresh credentials to a client's ice topic when it subscribes there, and every `refreshEveryMs`
 * while it stays connected.
 */
export function grantTurnCredentials(
  aedes: Aedes,
  layout: TopicLayout,
  { issue, ttlSeconds, refreshEveryMs }: TurnIssuer,
  userOf: (client: Client) => string | undefined,
  log: BoundLogger,
): void {
  const refreshers = new Map<Client, ReturnType<typeof setInterval>>();

  const send = (client: Client, userId: string) => {
    const topic = layout.ice(userId, client.id);
    aedes.publish(
      {
        cmd: 'publish',
        topic,
        payload: Buffer.from(JSON.stringify(issue(userId))),
        qos: 1,
        retain: false,
        dup: false,
        // Credentials past their ttl are useless: the broker must not deliver them to a late session.
        properties: { messageExpiryInterval: ttlSeconds },
      },
      (error) => {
        if (error) log('warn', 'ice-servers-unsent', { clientId: client.id, error: error.message });
        else log('debug', 'ice-servers-sent', { clientId: client.id });
      },
    );
  };

  aedes.on('subscribe', (subscriptions, client) => {
    const userId = userOf(client);
    // Ids with ':' (legal in ids) would split the TURN username: such users get no relay.
    if (userId === undefined || !isValidId(userId) || userId.includes(':')) return;
    if (!subscriptions.some((s) => s.topic === layout.ice(userId, client.id))) return;
    send(client, userId);
    clearInterval(refreshers.get(client));
    refreshers.set(
      client,
      setInterval(() => send(client, userId), refreshEveryMs),
    );
  });
  aedes.on('clientDisconnect', (client) => {
    clearInterval(refreshers.get(client));
    refreshers.delete(client);
  });
  aedes.on('closed', () => {
    for (const timer of refreshers.values()) clearInterval(timer);
    refreshers.clear();
  });
}
