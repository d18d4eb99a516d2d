// The embedded broker's rules, as aedes hooks: a token binds a connection to a user id; a user subscribes
// only to its own inbox, its connection's own ice topic and anybody's presence; it publishes only its own
// presence and, into any inbox, only under its own sender segment with a valid envelope whose `from` is itself.
import { decodeEnvelope, isValidId, type BoundLogger as Log, RESERVED_DEVICE_IDS } from '@handset/core';
import { checkTokenPolicy, type TokenPolicy, type TokenSecret, verifyToken } from '@handset/token';
import type { AedesOptions, AuthenticateError, Client } from 'aedes';
import { isClientIdOf, PRESENCE_OFFLINE, PRESENCE_ONLINE, type TopicLayout } from '../topics.js';
import { BrokerRefusal } from './broker-error.js';

export interface AccessControlOptions {
  layout: TopicLayout;
  /** Verifies tokens. Required unless `dev`. */
  secret?: TokenSecret;
  /** Accepts any valid user id without a token. For local development only. */
  dev?: boolean;
  log: Log;
  now?: () => number;
  /** Token lifetime cap and clock skew (default `DEFAULT_TOKEN_POLICY`); a bad one throws here. */
  tokenPolicy?: TokenPolicy;
}

export type AccessControlHooks = Required<
  Pick<AedesOptions, 'authenticate' | 'authorizeSubscribe' | 'authorizePublish'>
>;

export interface AccessControl extends AccessControlHooks {
  /** When the token a client logged in with expires (ms since epoch); undefined in dev mode. */
  tokenExpiresAt(client: Client): number | undefined;
  /** The user a connection authenticated as; undefined before (or without) login. */
  userOf(client: Client): string | undefined;
}

/** MQTT 3.1.1 CONNACK code 4 ("bad user name or password"); aedes maps it to MQTT 5's 0x86. */
const BAD_USERNAME_OR_PASSWORD = 4;
/** MQTT 3.1.1 CONNACK code 2 ("identifier rejected"); aedes maps it to MQTT 5's 0x85. */
const IDENTIFIER_REJECTED = 2;

export function createAccessControl(options: AccessControlOptions): AccessControl {
  const { layout, log } = options;
  const now = options.now ?? Date.now;
  const tokenPolicy = checkTokenPolicy(options.tokenPolicy);
  /** The authenticated user of each connection. */
  const users = new WeakMap<Client, string>();
  const expiries = new WeakMap<Client, number>();

  function refuseConnect(
    client: Client,
    error: BrokerRefusal,
    done: (e: AuthenticateError, ok: false) => void,
  ) {
    log('warn', 'auth-refused', { clientId: client.id, code: error.code, reason: error.message });
    const returnCode = error.code === 'client-id-not-bound' ? IDENTIFIER_REJECTED : BAD_USERNAME_OR_PASSWORD;
    done(Object.assign(error, { returnCode }) as AuthenticateError, false);
  }

  return {
    tokenExpiresAt: (client) => expiries.get(client),
    userOf: (client) => users.get(client),

    authenticate(client, username, password, done) {
      if (!isValidId(username)) {
        refuseConnect(
          client,
          new BrokerRefusal('invalid-user-id', 'the username is not a valid user id'),
          done,
        );
        return;
      }
      // Checked here, before aedes registers the client: registering is what disconnects an existing
      // connection with the same id (MQTT's take-over) and hands over its session.
      if (!isClientIdOf(client.id, username)) {
        refuseConnect(
          client,
          new BrokerRefusal('client-id-not-bound', 'the client id is not <user id>:<device>'),
          done,
        );
        return;
      }
      if (options.dev) {
        log('warn', 'dev-login', {
          clientId: client.id,
          userId: username,
          note: 'DEV MODE: no token checked',
        });
        users.set(client, username);
        done(null, true);
        return;
      }
      const verified = verifyToken(
        password ? password.toString('utf8') : '',
        options.secret ?? '',
        now(),
        tokenPolicy,
      );
      if (!verified.ok) {
        // MQTT carries one "bad user name or password" code; the token's own reason goes to the log.
        const { reason, message } = verified.error;
        refuseConnect(
          client,
          new BrokerRefusal('bad-credentials', `${reason}: ${message}`, { cause: verified.error }),
          done,
        );
        return;
      }
      if (verified.userId !== username) {
        refuseConnect(
          client,
          new BrokerRefusal('bad-credentials', 'the token was issued to another user'),
          done,
        );
        return;
      }
      users.set(client, username);
      expiries.set(client, verified.expiresAt);
      log('info', 'client-authenticated', { clientId: client.id, userId: username });
      done(null, true);
    },

    authorizeSubscribe(client, subscription, done) {
      const userId = users.get(client);
      const topic = subscription.topic;
      const allowed =
        userId !== undefined &&
        (topic === layout.inboxFilter(userId) ||
          topic === layout.ice(userId, client.id) ||
          isPresenceFilterOfOneUser(layout, topic));
      if (!allowed) {
        log('warn', 'subscribe-refused', { clientId: client.id, userId, topic, code: 'topic-not-allowed' });
        done(null, null);
        return;
      }
      done(null, subscription);
    },

    authorizePublish(client, packet, done) {
      // Publishes from the broker itself ($SYS heartbeats...) carry no client.
      if (client === null) {
        done(null);
        return;
      }
      const refusal =
        checkPublish(layout, users.get(client), client.id, packet.topic, packet.payload, packet.retain) ??
        checkTokenLife(expiries.get(client), now(), packet.payload);
      if (refusal) {
        log('warn', 'publish-refused', {
          clientId: client.id,
          topic: packet.topic,
          code: refusal.code,
          reason: refusal.message,
        });
        done(refusal);
        return;
      }
      done(null);
    },
  };
}

/**
 * After its token expires a client may still say it is offline (its Last Will does, when the broker
 * disconnects it at expiry), and nothing else; the DISCONNECT at expiry usually comes first.
 */
function checkTokenLife(
  expiresAt: number | undefined,
  now: number,
  payload: string | Uint8Array,
): BrokerRefusal | null {
  if (expiresAt === undefined || expiresAt > now) return null;
  const text = typeof payload === 'string' ? payload : Buffer.from(payload).toString('utf8');
  if (text === PRESENCE_OFFLINE) return null;
  return new BrokerRefusal('token-expired', "the connection's token has expired");
}

function isPresenceFilterOfOneUser(layout: TopicLayout, topic: string): boolean {
  const suffix = '/presence/+';
  if (!topic.endsWith(suffix)) return false;
  const userId = topic.slice(0, -suffix.length).split('/').at(-1);
  return isValidId(userId) && topic === layout.presenceFilter(userId);
}

function checkPublish(
  layout: TopicLayout,
  userId: string | undefined,
  clientId: string,
  topic: string,
  payload: string | Uint8Array,
  retain: boolean,
): BrokerRefusal | null {
  const parsed = layout.parse(topic);
  if (userId === undefined || parsed === null) {
    return new BrokerRefusal('topic-not-allowed', 'only Handset inbox and presence topics may be published');
  }
  // The broker alone hands out ICE servers: a client publishing there could feed another its own relay.
  if (parsed.kind === 'ice') {
    return new BrokerRefusal('topic-not-allowed', 'only the broker publishes ICE servers');
  }
  const text = typeof payload === 'string' ? payload : Buffer.from(payload).toString('utf8');
  if (parsed.kind === 'presence') {
    if (parsed.userId !== userId || parsed.deviceId !== clientId) {
      return new BrokerRefusal('topic-not-allowed', 'a connection publishes only its own presence');
    }
    if (text !== PRESENCE_ONLINE && text !== PRESENCE_OFFLINE) {
      return new BrokerRefusal('invalid-payload', 'presence is "online" or "offline"');
    }
    return null;
  }
  if (parsed.senderId !== userId) {
    return new BrokerRefusal(
      'sender-mismatch',
      "the inbox topic's sender segment is not the authenticated user",
    );
  }
  if (retain) return new BrokerRefusal('topic-not-allowed', 'inbox messages are never retained');
  const decoded = decodeEnvelope(text);
  if (!decoded.ok) {
    return new BrokerRefusal('invalid-payload', `not a Handset envelope: ${decoded.error.message}`, {
      cause: decoded.error,
    });
  }
  if (decoded.envelope.from !== userId || decoded.envelope.to !== parsed.userId) {
    return new BrokerRefusal('sender-mismatch', "the envelope's from/to disagree with the topic");
  }
  // Only whoever answers for an absent device signs as `broker`, `server` or `network`.
  if (RESERVED_DEVICE_IDS.has(decoded.envelope.fromDevice)) {
    return new BrokerRefusal('reserved-device', `device id "${decoded.envelope.fromDevice}" is reserved`);
  }
  return null;
}
