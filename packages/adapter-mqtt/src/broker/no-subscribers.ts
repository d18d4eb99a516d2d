// MQTT 5's PUBACK 0x10 ("No matching subscribers") for an inbox nobody can receive, which aedes never sends:
// mosquitto does, and the transport reads it as "the addressee is offline" at once, with no presence read.
import type { Aedes, AedesOptions, Client } from 'aedes';
import type { TopicLayout } from '../topics.js';

/** MQTT 5 PUBACK reason code 0x10. */
export const NO_MATCHING_SUBSCRIBERS = 0x10;

type PublishHook = Required<AedesOptions>['authorizePublish'];

interface SubscriptionStore {
  /** Subscriptions of persistent sessions (connected or held after a drop) matching a topic. */
  subscriptionsByTopic(topic: string): Promise<unknown[]>;
}

/**
 * Wraps the access rules' `authorizePublish`: an allowed QoS 1 publish from an MQTT 5 client into an inbox
 * that no connection subscribes to and no held session holds is answered PUBACK 0x10 and published to
 * nobody (there is nobody; nothing is stored, so it can never ring later). What counts as a subscriber is
 * what mosquitto counts: a live subscription, or a persistent session kept after its connection dropped.
 */
export function answerNoSubscribers(aedes: Aedes, layout: TopicLayout, authorize: PublishHook): PublishHook {
  /** Live inbox subscriptions per user, by connection (clean sessions are in no store, so tracked here). */
  const live = new Map<string, Set<Client>>();
  const forget = (userId: string, client: Client) => {
    const clients = live.get(userId);
    if (!clients?.delete(client) || clients.size > 0) return;
    live.delete(userId);
  };
  aedes.on('subscribe', (subscriptions, client) => {
    for (const { topic } of subscriptions) {
      const userId = inboxOwner(layout, topic);
      if (userId === null) continue;
      const clients = live.get(userId) ?? new Set<Client>();
      clients.add(client);
      live.set(userId, clients);
    }
  });
  aedes.on('unsubscribe', (topics, client) => {
    for (const topic of topics) {
      const userId = inboxOwner(layout, topic);
      if (userId !== null) forget(userId, client);
    }
  });
  aedes.on('clientDisconnect', (client) => {
    const userId = userOfClientId(client.id);
    if (userId !== null) forget(userId, client);
  });
  const store = (aedes as unknown as { persistence: SubscriptionStore }).persistence;

  return (client, packet, done) => {
    authorize(client, packet, (error) => {
      if (error || client === null || client.version !== 5 || packet.qos !== 1) return done(error);
      const parsed = layout.parse(packet.topic);
      if (parsed?.kind !== 'inbox' || live.has(parsed.userId)) return done(null);
      store.subscriptionsByTopic(packet.topic).then(
        (held) => {
          if (held.length > 0 || live.has(parsed.userId)) return done(null);
          // aedes sends no PUBACK for a publish it was told is not authorized, and publishes nothing.
          (packet as { _notAuthorized?: boolean })._notAuthorized = true;
          writeNoSubscribersAck(client, packet.messageId ?? 0);
          done(null);
        },
        // A store that cannot answer: deliver as usual rather than call anybody offline.
        () => done(null),
      );
    });
  };
}

/** PUBACK, remaining length 3: packet id, reason code (no properties). */
function writeNoSubscribersAck(client: Client, messageId: number): void {
  const conn = client.conn as unknown as { writable?: boolean; write(chunk: Uint8Array): boolean };
  if (conn.writable === false) return;
  conn.write(Uint8Array.of(0x40, 3, messageId >> 8, messageId & 0xff, NO_MATCHING_SUBSCRIBERS));
}

function inboxOwner(layout: TopicLayout, filter: string): string | null {
  const suffix = '/inbox/+';
  if (!filter.endsWith(suffix)) return null;
  const userId = filter.slice(0, -suffix.length).split('/').at(-1);
  return userId !== undefined && filter === layout.inboxFilter(userId) ? userId : null;
}

/** Both shipped brokers accept only `<userId>:<device>` client ids (the device has no `:`). */
function userOfClientId(clientId: string): string | null {
  const at = clientId.lastIndexOf(':');
  return at > 0 ? clientId.slice(0, at) : null;
}
