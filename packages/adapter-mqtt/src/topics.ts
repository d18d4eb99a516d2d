// The MQTT topic layout of Handset, in one place: every topic the transport, the embedded broker and the
// shipped mosquitto ACL use is built or parsed here. The version in the prefix lets a future layout coexist.
import { isValidId } from '@handset/core';

/** Default prefix. The `v1` is the topic layout's version, not the envelope protocol's. */
export const DEFAULT_TOPIC_PREFIX = 'handset/v1';

/** Retained payload of a device's presence topic while it is connected. */
export const PRESENCE_ONLINE = 'online';
/** Retained payload the Last Will (or a clean close) leaves behind. */
export const PRESENCE_OFFLINE = 'offline';

/** The device part of a client id: nanoid's alphabet, so it is safe in a topic and in a broker's ACL. */
const DEVICE_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * A client id is `<userId>:<device>`, the form both shipped brokers bind to the authenticated user (so
 * nobody can resume or take over another user's session). It is also the device's presence topic level.
 */
export function clientIdOf(userId: string, device: string): string {
  return `${userId}:${device}`;
}

/** Whether `clientId` is `<userId>:<device>` for this user with a well-formed device name. */
export function isClientIdOf(clientId: unknown, userId: string): clientId is string {
  if (typeof clientId !== 'string' || !clientId.startsWith(`${userId}:`)) return false;
  return DEVICE_NAME.test(clientId.slice(userId.length + 1));
}

export type ParsedTopic =
  | { kind: 'inbox'; userId: string; senderId: string }
  | { kind: 'presence'; userId: string; deviceId: string }
  | { kind: 'ice'; userId: string; clientId: string };

export interface TopicLayout {
  readonly prefix: string;
  /** Where `senderId` publishes a message for `userId`. Only `senderId` may publish here (ACL). */
  inbox(userId: string, senderId: string): string;
  /** What `userId` subscribes to: its inbox, one level per sender. Only `userId` may subscribe (ACL). */
  inboxFilter(userId: string): string;
  /**
   * Retained presence of one connection (device) of `userId`, whose level is the connection's client id
   * (`<userId>:<device>`); its Last Will sets it offline.
   */
  presence(userId: string, deviceId: string): string;
  /** Every device presence of `userId`; anyone may read it. */
  presenceFilter(userId: string): string;
  /**
   * The ICE servers (TURN with fresh credentials) the embedded broker hands one connection. Only the broker
   * publishes here and only that connection (client id `<userId>:<device>`) may subscribe (ACL): the
   * credentials are the user's own.
   */
  ice(userId: string, clientId: string): string;
  /**
   * A topic nobody subscribes to: unsubscribing from it is a round trip to the broker with no effect
   * (the presence directory uses it as a barrier).
   */
  sync(userId: string): string;
  /** Reads a concrete topic (no wildcards) of this layout, or null for anything else. */
  parse(topic: string): ParsedTopic | null;
}

export function createTopicLayout(prefix: string = DEFAULT_TOPIC_PREFIX): TopicLayout {
  const base = `${prefix}/u/`;
  return {
    prefix,
    inbox: (userId, senderId) => `${base}${userId}/inbox/${senderId}`,
    inboxFilter: (userId) => `${base}${userId}/inbox/+`,
    presence: (userId, deviceId) => `${base}${userId}/presence/${deviceId}`,
    presenceFilter: (userId) => `${base}${userId}/presence/+`,
    ice: (userId, clientId) => `${base}${userId}/ice/${clientId}`,
    sync: (userId) => `${base}${userId}/sync`,
    parse(topic) {
      if (!topic.startsWith(base)) return null;
      const levels = topic.slice(base.length).split('/');
      if (levels.length !== 3) return null;
      const [userId, kind, last] = levels as [string, string, string];
      if (!isValidId(userId)) return null;
      if (kind === 'inbox') return isValidId(last) ? { kind: 'inbox', userId, senderId: last } : null;
      // A client id is longer than an id may be (a whole user id, ":" and a device): checked on its own.
      if (kind === 'presence' && (isClientIdOf(last, userId) || isValidId(last)))
        return { kind: 'presence', userId, deviceId: last };
      if (kind === 'ice' && isClientIdOf(last, userId)) return { kind: 'ice', userId, clientId: last };
      return null;
    },
  };
}
