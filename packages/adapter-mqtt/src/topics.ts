// The MQTT topic layout of Handset, in one place: every topic the transport, the embedded broker and the
// shipped mosquitto ACL use is built or parsed here. The version in the prefix lets a future layout coexist.

/** Default prefix. The `v1` is the topic layout's version, not the envelope protocol's. */
export const DEFAULT_TOPIC_PREFIX = 'handset/v1';

/** Retained payload of a device's presence topic while it is connected. */
export const PRESENCE_ONLINE = 'online';
/** Retained payload the Last Will (or a clean close) leaves behind. */
export const PRESENCE_OFFLINE = 'offline';

/**
 * User ids and device ids become topic levels, so on top of the protocol's id rule (printable ASCII, no
 * space, no "/") they must not hold the MQTT wildcards "+" and "#": a user called "+" would otherwise be
 * granted a subscription to every inbox.
 */
const TOPIC_SAFE_ID = /^[\x21\x22\x24-\x2a\x2c-\x2e\x30-\x7e]{1,128}$/;

export function isTopicSafeId(id: unknown): id is string {
  return typeof id === 'string' && TOPIC_SAFE_ID.test(id);
}

export type ParsedTopic =
  | { kind: 'inbox'; userId: string; senderId: string }
  | { kind: 'presence'; userId: string; deviceId: string };

export interface TopicLayout {
  readonly prefix: string;
  /** Where `senderId` publishes a message for `userId`. Only `senderId` may publish here (ACL). */
  inbox(userId: string, senderId: string): string;
  /** What `userId` subscribes to: its inbox, one level per sender. Only `userId` may subscribe (ACL). */
  inboxFilter(userId: string): string;
  /** Retained presence of one connection (device) of `userId`; its Last Will sets it offline. */
  presence(userId: string, deviceId: string): string;
  /** Every device presence of `userId`; anyone may read it. */
  presenceFilter(userId: string): string;
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
    sync: (userId) => `${base}${userId}/sync`,
    parse(topic) {
      if (!topic.startsWith(base)) return null;
      const levels = topic.slice(base.length).split('/');
      if (levels.length !== 3) return null;
      const [userId, kind, last] = levels as [string, string, string];
      if (!isTopicSafeId(userId) || !isTopicSafeId(last)) return null;
      if (kind === 'inbox') return { kind: 'inbox', userId, senderId: last };
      if (kind === 'presence') return { kind: 'presence', userId, deviceId: last };
      return null;
    },
  };
}
