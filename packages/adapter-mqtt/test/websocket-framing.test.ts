// What a browser receives from the embedded broker's WebSocket listener: every WebSocket message holds
// whole MQTT packets, so a delivered envelope is one message for the page, not one per write of aedes.

import { createToken, type HandsetBroker, startBroker } from '@handset/adapter-mqtt/broker';
import { createEnvelope } from '@handset/core';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { SECRET } from './support/embedded-broker.js';
import { WAIT_MS } from './support/frames.js';

let broker: HandsetBroker | null = null;
const clients: MqttClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.endAsync(true)));
  await broker?.close();
  broker = null;
});

/**
 * How many whole MQTT packets `message` holds (fixed header, Remaining Length as a variable byte integer,
 * then that many bytes), or null if it ends inside a packet.
 */
function wholePackets(message: Buffer): number | null {
  let offset = 0;
  let packets = 0;
  while (offset < message.length) {
    let length = 0;
    let shift = 0;
    let at = offset + 1;
    for (;;) {
      const byte = message[at];
      if (byte === undefined) return null;
      length += (byte & 0x7f) << shift;
      at += 1;
      if ((byte & 0x80) === 0) break;
      shift += 7;
    }
    offset = at + length;
    if (offset > message.length) return null;
    packets += 1;
  }
  return packets;
}

/** An MQTT-over-WebSocket client whose every WebSocket message from the broker is kept as it came. */
async function recordingClient(
  url: string,
  userId: string,
): Promise<{ client: MqttClient; messages: Buffer[] }> {
  const messages: Buffer[] = [];
  const client = await connectAsync(url, {
    protocolVersion: 5,
    username: userId,
    password: createToken(userId, SECRET, 60),
    clientId: `${userId}:framing${Math.random().toString(36).slice(2, 8)}`,
    reconnectPeriod: 0,
    connectTimeout: 5000,
    createWebsocket: (address: string, protocols: string[]) => {
      const socket = new WebSocket(address, protocols);
      socket.on('message', (data: Buffer) => messages.push(Buffer.from(data)));
      return socket;
    },
  });
  clients.push(client);
  return { client, messages };
}

describe("the embedded broker's WebSocket listener", () => {
  it('sends whole MQTT packets in each WebSocket message: a delivered envelope is one message', async () => {
    broker = await startBroker({ secret: SECRET, port: null });
    const url = broker.wsUrl as string;
    const alice = await recordingClient(url, 'alice');
    const bob = await recordingClient(url, 'bob');
    await bob.client.subscribeAsync('handset/v1/u/bob/inbox/+', { qos: 1 });
    const delivered = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no delivery')), WAIT_MS);
      bob.client.once('message', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    const ringing = createEnvelope(
      { type: 'ringing', callId: 'call-1', from: 'alice', fromDevice: 'phone', to: 'bob' },
      'envelope-1',
    );
    await alice.client.publishAsync('handset/v1/u/bob/inbox/alice', JSON.stringify(ringing), { qos: 1 });
    await delivered;

    // CONNACK, SUBACK, PUBACK and the delivered PUBLISH: each reached its client whole.
    for (const { messages } of [alice, bob]) {
      expect(messages.length).toBeGreaterThan(0);
      expect(messages.map(wholePackets)).not.toContain(null);
    }
    // The envelope's PUBLISH starts the message that carries its payload: header, topic and body together.
    const publish = bob.messages.find((message) => message.includes('"type":"ringing"'));
    expect(publish && (publish[0] ?? 0) >> 4).toBe(3);
  });
});
