// The synthetic `unavailable` a network answers on behalf of an addressee it cannot reach: one builder
// for the in-memory network, the MQTT transport and the WebSocket server, so all three answer alike.
import { nanoid } from 'nanoid';
import { createEnvelope, type Envelope } from './protocol.js';

/**
 * The device ids of whoever answers for an absent device (core's memory network, the MQTT broker or
 * transport, the signaling server): never a client's own, or a user's `unavailable` would pass as theirs.
 * Every transport refuses or drops an envelope from a client claiming one.
 */
export const RESERVED_DEVICE_IDS: ReadonlySet<string> = new Set(['network', 'broker', 'server']);

/**
 * The reply to `envelope` from its unreachable addressee, or null for an `unavailable` (one is never
 * answered with another, or two offline parties would loop). `fromDevice` names who answered
 * (`network`, `broker`, `server`) so an app can tell it from a device's own reply.
 */
export function unavailableReplyTo(
  envelope: Envelope,
  fromDevice: string,
  id: string = nanoid(),
): Envelope | null {
  if (envelope.type === 'unavailable') return null;
  return createEnvelope(
    { type: 'unavailable', callId: envelope.callId, from: envelope.to, fromDevice, to: envelope.from },
    id,
  );
}
