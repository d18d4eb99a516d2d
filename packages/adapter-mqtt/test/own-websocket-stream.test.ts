// The transport's own WebSocket stream (what browsers use, given here `ws`'s WebSocket): the transport
// contract and a broker restart over it, one WebSocket message per packet written, received packets cut
// at their boundaries, and where mqtt.js's own stream stays.
import {
  createMqttTransport,
  type MqttWebSocketConstructor,
  type MqttWebSocketLike,
} from '@handset/adapter-mqtt';
import { createToken } from '@handset/adapter-mqtt/broker';
import { describeSignalingTransport } from '@handset/core/conformance';
import { ringingFrom, waitOpen } from '@handset/core/testing';
import { nanoid } from 'nanoid';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { clientOverWebSocket, MqttWebSocketStream } from '../src/mqtt-websocket-stream.js';
import { PacketBoundaries } from '../src/packet-boundaries.js';
import { type EmbeddedHarness, SECRET, startEmbeddedHarness } from './support/embedded-broker.js';
import { nextEnvelope, nextFrames, statusReached } from './support/frames.js';

/** `ws`'s WebSocket, counting the sockets made and keeping every message sent on them. */
function recordingWebSocket(): { Socket: MqttWebSocketConstructor; opened: string[][]; sent: Uint8Array[] } {
  const opened: string[][] = [];
  const sent: Uint8Array[] = [];
  class Recording extends WebSocket {
    constructor(url: string, protocols: string[]) {
      super(url, protocols);
      opened.push(protocols);
    }
    override send(data: Uint8Array): void {
      sent.push(new Uint8Array(data));
      super.send(data);
    }
  }
  return { Socket: Recording as unknown as MqttWebSocketConstructor, opened, sent };
}

const NodeWebSocket = WebSocket as unknown as MqttWebSocketConstructor;

/** The embedded broker's WebSocket listener, every transport on the transport's own stream. */
async function ownStreamHarness(Socket = NodeWebSocket): Promise<EmbeddedHarness> {
  const harness = await startEmbeddedHarness('ws');
  return Object.assign(Object.create(harness) as EmbeddedHarness, {
    connect: (userId: string, extra = {}) => harness.connect(userId, { WebSocket: Socket, ...extra }),
  });
}

/** Whole MQTT packets in `bytes` (type byte, Remaining Length, body), or null if it ends inside one. */
function packetTypes(bytes: Uint8Array): number[] | null {
  const types: number[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    let length = 0;
    let multiplier = 1;
    let at = offset + 1;
    for (;;) {
      const byte = bytes[at];
      if (byte === undefined) return null;
      length += (byte & 0x7f) * multiplier;
      multiplier *= 128;
      at += 1;
      if ((byte & 0x80) === 0) break;
    }
    types.push((bytes[offset] as number) >> 4);
    offset = at + length;
    if (offset > bytes.length) return null;
  }
  return types;
}

describeSignalingTransport('MQTT transport on its own WebSocket stream (embedded broker)', () =>
  ownStreamHarness(),
);

describe("the MQTT transport's own WebSocket stream", () => {
  let harness: EmbeddedHarness;
  const id = (name: string) => `${name}-${nanoid(6)}`;
  afterEach(() => harness.close());

  describe('on the embedded broker', () => {
    let recording: ReturnType<typeof recordingWebSocket>;
    beforeEach(async () => {
      recording = recordingWebSocket();
      harness = await ownStreamHarness(recording.Socket);
    });

    it('runs over the given WebSocket, offering the mqtt subprotocol', async () => {
      const transport = await harness.connect(id('alice'));
      await waitOpen(transport);
      expect(recording.opened).toEqual([['mqtt']]);
    });

    it('sends each packet mqtt.js writes whole, an envelope as one PUBLISH message', async () => {
      const [alice, bob] = [id('alice'), id('bob')];
      const [aliceTransport, bobTransport] = await Promise.all([
        harness.connect(alice),
        harness.connect(bob),
      ]);
      await Promise.all([waitOpen(aliceTransport), waitOpen(bobTransport)]);
      const received = nextEnvelope(bobTransport);
      const sentBefore = recording.sent.length;
      aliceTransport.send(ringingFrom(alice, bob, 'call-1'));
      expect((await received).callId).toBe('call-1');
      expect(recording.sent.map(packetTypes)).not.toContain(null);
      // CONNECT (1), SUBSCRIBE (8) and PUBLISH (3) each left as one message: not split into its writes.
      expect(recording.sent.flatMap(packetTypes)).toEqual(expect.arrayContaining([1, 8, 3]));
      const envelopeMessages = recording.sent
        .slice(sentBefore)
        .filter((bytes) => new TextDecoder().decode(bytes).includes('"callId":"call-1"'));
      expect(envelopeMessages.map(packetTypes)).toEqual([[3]]);
    });

    it('goes connecting → open → reconnecting → open → closed across a broker restart, on a new socket', async () => {
      const transport = await harness.connect(id('alice'));
      const statuses: string[] = [];
      transport.status$.subscribe((status) => statuses.push(status));
      await waitOpen(transport);
      await harness.restartBroker();
      await statusReached(transport, 'reconnecting');
      await statusReached(transport, 'open');
      transport.close();
      await transport.ended;
      expect(statuses).toEqual(['connecting', 'open', 'reconnecting', 'open', 'closed']);
      expect(recording.opened.length).toBeGreaterThanOrEqual(2);
    });

    it('queues envelopes while its link is down and delivers them in order after reconnecting', async () => {
      const [alice, bob] = [id('alice'), id('bob')];
      const aliceTransport = await harness.connect(alice, {
        reconnectPolicy: { nextRetryDelayMs: () => 300 },
      });
      const bobTransport = await harness.connect(bob);
      await Promise.all([waitOpen(aliceTransport), waitOpen(bobTransport)]);
      const callIds = Array.from({ length: 20 }, () => nanoid());
      const received = nextFrames(bobTransport, callIds.length);
      aliceTransport.status$.subscribe((status) => {
        if (status === 'reconnecting')
          for (const callId of callIds) aliceTransport.send(ringingFrom(alice, bob, callId));
      });
      harness.dropConnection(aliceTransport.clientId);
      const frames = await received;
      expect(frames.map((frame) => JSON.parse(frame).callId)).toEqual(callIds);
    });
  });

  describe('facing bad bytes from the network', () => {
    beforeEach(async () => {
      harness = await ownStreamHarness();
    });

    it('drops a connection whose message is neither binary nor text, and connects again', async () => {
      let socket: MqttWebSocketLike | null = null;
      class Kept extends WebSocket {
        constructor(url: string, protocols: string[]) {
          super(url, protocols);
          socket = this as unknown as MqttWebSocketLike;
        }
      }
      const transport = await harness.connect(id('alice'), {
        WebSocket: Kept as unknown as MqttWebSocketConstructor,
      });
      await waitOpen(transport);
      const reconnecting = statusReached(transport, 'reconnecting');
      (socket as MqttWebSocketLike | null)?.onmessage?.({ data: { not: 'bytes' } });
      await reconnecting;
      await statusReached(transport, 'open');
    });
  });
});

/** A socket that is only what the stream sees of it: state, sent messages and the handlers it set. */
function fakeSocket(readyState: number): MqttWebSocketLike & { sent: number[][] } {
  const sent: number[][] = [];
  return {
    sent,
    binaryType: 'blob',
    readyState,
    send: (data) => sent.push([...data]),
    close() {},
    onopen: null,
    onmessage: null,
    onclose: null,
    onerror: null,
  };
}

describe('MqttWebSocketStream', () => {
  const puback = [0x40, 0x02, 0x00, 0x01];
  const publish = [0x30, 0x05, 0x00, 0x01, 0x74, 0x68, 0x69];

  it("hands mqtt.js's parser one packet per write when a message holds several", () => {
    const socket = fakeSocket(1);
    const writes: number[][] = [];
    new MqttWebSocketStream(socket).pipe({ write: (chunk: Uint8Array) => writes.push([...chunk]) });
    socket.onmessage?.({ data: Uint8Array.from([...puback, ...publish]).buffer });
    expect(writes).toEqual([puback, publish]);
  });

  it('sends what is written in one task as one binary message once that task has run', async () => {
    const socket = fakeSocket(1);
    const stream = new MqttWebSocketStream(socket);
    expect(socket.binaryType).toBe('arraybuffer');
    stream.write(Uint8Array.from(publish.slice(0, 2)));
    stream.write(Uint8Array.from(publish.slice(2, 4)));
    stream.write('thi');
    expect(socket.sent).toEqual([]);
    await Promise.resolve();
    expect(socket.sent).toEqual([publish]);
  });

  it('keeps what is written before the socket opens and sends it on open', () => {
    const socket = fakeSocket(0);
    const stream = new MqttWebSocketStream(socket);
    stream.write(Uint8Array.from(puback));
    expect(socket.sent).toEqual([]);
    (socket as { readyState: number }).readyState = 1;
    socket.onopen?.({});
    expect(socket.sent).toEqual([puback]);
  });

  it('says close once, after the turn that destroyed it', async () => {
    const socket = fakeSocket(1);
    const stream = new MqttWebSocketStream(socket);
    const closes: string[] = [];
    stream.on('close', () => closes.push('close'));
    stream.destroy();
    socket.onclose?.({});
    expect(closes).toEqual([]);
    await Promise.resolve();
    expect(closes).toEqual(['close']);
  });
});

describe('PacketBoundaries', () => {
  const text = (pieces: Uint8Array[]) => pieces.map((piece) => [...piece]);

  it('cuts a message holding several packets into one piece per packet', () => {
    const puback = [0x40, 0x02, 0x00, 0x01];
    const pingresp = [0xd0, 0x00];
    const publish = [0x30, 0x05, 0x00, 0x01, 0x74, 0x68, 0x69];
    expect(text(new PacketBoundaries().split(Uint8Array.from([...puback, ...pingresp, ...publish])))).toEqual(
      [puback, pingresp, publish],
    );
  });

  it('passes a packet cut across messages in pieces that end where the packet ends', () => {
    const boundaries = new PacketBoundaries();
    const body = Array.from({ length: 200 }, (_, i) => i % 256);
    // Remaining Length 200 takes two bytes (0xc8 0x01); the cut falls inside that length.
    const packet = [0x30, 0xc8, 0x01, ...body];
    const next = [0xd0, 0x00];
    const first = text(boundaries.split(Uint8Array.from(packet.slice(0, 2))));
    const second = text(boundaries.split(Uint8Array.from([...packet.slice(2), ...next])));
    expect(first).toEqual([packet.slice(0, 2)]);
    expect(second).toEqual([packet.slice(2), next]);
  });

  it('passes bytes through as they come after a Remaining Length longer than four bytes', () => {
    const boundaries = new PacketBoundaries();
    const malformed = [0x30, 0xff, 0xff, 0xff, 0xff, 0x01, 0xd0, 0x00];
    expect(text(boundaries.split(Uint8Array.from(malformed)))).toEqual([malformed]);
    expect(text(boundaries.split(Uint8Array.from([0xd0, 0x00])))).toEqual([[0xd0, 0x00]]);
  });
});

describe('where mqtt.js keeps its own stream', () => {
  const options = { protocolVersion: 5 as const, clientId: 'alice:d', manualConnect: true };

  it('on mqtt:// and other non-WebSocket URLs', () => {
    expect(clientOverWebSocket('mqtt://127.0.0.1:1883', options, NodeWebSocket)).toBeNull();
  });

  it('with no WebSocket constructor (Node 20 without the option)', () => {
    expect((globalThis as { WebSocket?: unknown }).WebSocket).toBeUndefined();
    expect(clientOverWebSocket('ws://127.0.0.1:1', options)).toBeNull();
  });

  it('when mqttOptions set an option only its stream honours', () => {
    // TLS options too: mqtt.js hands them to its Node WebSocket for wss://; a platform WebSocket has no place for them.
    const tls = [
      { ca: 'a CA' },
      { rejectUnauthorized: false },
      { cert: 'c' },
      { key: 'k' },
      { pfx: 'p' },
      { passphrase: 'x' },
    ];
    for (const extra of [{ wsOptions: {} }, { transformWsUrl: (url: string) => url }, ...tls]) {
      expect(clientOverWebSocket('ws://127.0.0.1:1', { ...options, ...extra }, NodeWebSocket)).toBeNull();
    }
    expect(clientOverWebSocket('ws://127.0.0.1:1', options, NodeWebSocket)).not.toBeNull();
  });

  it('a transport on a mqtt:// URL still opens (mqtt.js over TCP)', async () => {
    const tcp = await startEmbeddedHarness('tcp');
    try {
      const transport = createMqttTransport({
        url: tcp.broker.tcpUrl as string,
        userId: 'carol',
        token: createToken('carol', SECRET, 60),
        WebSocket: NodeWebSocket,
      });
      await waitOpen(transport);
      transport.close();
      await transport.ended;
    } finally {
      await tcp.close();
    }
  });
});
