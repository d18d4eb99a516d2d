// The acknowledged MQTT requests the transport waits for (SUBACK, UNSUBACK, PUBACK), as promises that tell
// a broker's refusal from a dropped link.
import type { MqttClient } from 'mqtt';

const GRANTED_MAX_QOS = 2;

/** Resolves true if granted, false if the broker refused; rejects if the link dropped (or there is none). */
export function subscribeAcked(client: MqttClient | null, topic: string, qos: 0 | 1): Promise<boolean> {
  return new Promise((resolve, reject) => {
    if (!client) return reject(new Error('not connected'));
    client.subscribe(topic, { qos }, (error, grants, suback) => {
      // A SUBACK with a failure code comes back as an error carrying the SUBACK: a refusal, not a drop.
      const refused = suback?.granted.some((code) => typeof code === 'number' && code > GRANTED_MAX_QOS);
      if (refused) resolve(false);
      else if (error) reject(error);
      else resolve((grants ?? []).every((grant) => grant.qos <= GRANTED_MAX_QOS));
    });
  });
}

/** Unsubscribes from a topic nobody subscribes to: an acknowledged round trip with no effect. */
export function roundTrip(client: MqttClient | null, unusedTopic: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!client) return reject(new Error('not connected'));
    client.unsubscribe(unusedTopic, (error) => {
      // A refusal (UNSUBACK with a failure code) still completes the round trip; a dropped link does not.
      if (error && !client.connected) reject(error);
      else resolve();
    });
  });
}

/** Publishes a retained QoS 1 message (presence), with a message expiry when given. */
export function publishRetained(
  client: MqttClient | null,
  topic: string,
  payload: string,
  expirySeconds?: number,
): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!client) return reject(new Error('not connected'));
    client.publish(
      topic,
      payload,
      {
        qos: 1,
        retain: true,
        ...(expirySeconds === undefined ? {} : { properties: { messageExpiryInterval: expirySeconds } }),
      },
      (error) => (error ? reject(error) : resolve()),
    );
  });
}

/** MQTT 5 PUBACK reason code 0x10, "No matching subscribers": nobody could receive the publish. */
const NO_MATCHING_SUBSCRIBERS = 0x10;

/**
 * Our publishes the broker answered 0x10. mqtt.js counts 0x10 as success and hands the publish's callback
 * the stored PUBLISH, not the PUBACK, so the reason code is read as the PUBACK arrives (before the callback).
 */
export class NoSubscriberAcks {
  private readonly messageIds = new Set<number>();

  watch(client: MqttClient): void {
    client.on('packetreceive', (packet) => {
      if (packet.cmd === 'puback' && packet.reasonCode === NO_MATCHING_SUBSCRIBERS)
        this.messageIds.add(packet.messageId ?? -1);
    });
    client.on('connect', () => this.messageIds.clear());
  }

  /** Whether the publish whose callback received `stored` was answered 0x10 (then forgotten). */
  take(stored: unknown): boolean {
    const messageId = (stored as { messageId?: unknown } | undefined)?.messageId;
    return typeof messageId === 'number' && this.messageIds.delete(messageId);
  }
}
