// What the MQTT transport lets through from its inbox to the phone: never a retained message, never a
// body that disagrees with its topic's sender or claims a reserved device, never a QoS 1 duplicate; an
// invite carries its broker age.
import { decodeEnvelope, encodeEnvelope, RESERVED_DEVICE_IDS } from '@handset/core';
import type { IPublishPacket } from 'mqtt';
import { BoundedSet } from './bounded-set.js';

const SEEN_IDS = 1024;

export type InboxVerdict =
  | { deliver: true; frame: string }
  | {
      deliver: false;
      event: 'retained-inbox-message' | 'spoofed-sender' | 'reserved-device' | 'duplicate';
    };

export class InboxFilter {
  private readonly seenIds = new BoundedSet<string>(SEEN_IDS);

  constructor(private readonly userId: string) {}

  /** Judges one inbox message from `senderId` (the topic's sender level, which the broker's ACL enforces). */
  judge(
    senderId: string,
    frame: string,
    packet: Pick<IPublishPacket, 'retain' | 'properties'>,
  ): InboxVerdict {
    // A retained inbox message would ring at every login until its sender cleared it (issue 9).
    if (packet.retain) return { deliver: false, event: 'retained-inbox-message' };
    const decoded = decodeEnvelope(frame);
    // Bad frames go to the phone as they are: it reports them as typed protocol errors.
    if (!decoded.ok) return { deliver: true, frame };
    const envelope = decoded.envelope;
    if (envelope.from !== senderId || envelope.to !== this.userId)
      return { deliver: false, event: 'spoofed-sender' };
    // `broker`, `server`, `network` are who answers for an absent device: from a client, a forged answer
    // (mosquitto cannot look at payloads, so the receiving transport is where this holds everywhere).
    if (RESERVED_DEVICE_IDS.has(envelope.fromDevice)) return { deliver: false, event: 'reserved-device' };
    // QoS 1 is at-least-once: a message resent after a reconnect must not be acted on twice.
    if (!this.seenIds.add(envelope.id)) return { deliver: false, event: 'duplicate' };
    if (envelope.type !== 'invite') return { deliver: true, frame };
    const ageMs = heldForMs(envelope.lifetimeMs, packet);
    return {
      deliver: true,
      frame: ageMs > (envelope.ageMs ?? 0) ? encodeEnvelope({ ...envelope, ageMs }) : frame,
    };
  }
}

/**
 * How long the broker held an invite, from the message expiry it counted down (whole seconds): the phone
 * subtracts it from the invite's lifetime, so a long-held invite rings only for what is left of it.
 */
function heldForMs(lifetimeMs: number, packet: Pick<IPublishPacket, 'properties'>): number {
  const remaining = packet.properties?.messageExpiryInterval;
  if (typeof remaining !== 'number') return 0;
  return Math.max(0, Math.ceil(lifetimeMs / 1000) - remaining) * 1000;
}
