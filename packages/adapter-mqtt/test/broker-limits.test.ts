// The embedded broker's limits, held against the real listeners: oversized packets are cut while their
// header is read (before and after login), silent and half-done handshakes end at the deadline, and one
// address or a crowd of pending sockets cannot take every connection.
import type { Socket } from 'node:net';
import { createTopicLayout } from '@handset/adapter-mqtt';
import {
  type BrokerLimits,
  createToken,
  type HandsetBroker,
  startBroker,
} from '@handset/adapter-mqtt/broker';
import { encodeEnvelope } from '@handset/core';
import { connect, type IConnackPacket } from 'mqtt';
import { nanoid } from 'nanoid';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { SECRET } from './support/embedded-broker.js';
import {
  closed,
  fixedHeader,
  MB,
  openSocket as open,
  SLACK_MS,
  streamUntilClosed,
  withinMs,
} from './support/flood.js';
import { invite, sleep } from './support/frames.js';
import { publishReason, rawClient } from './support/raw-client.js';

const topics = createTopicLayout();
let broker: HandsetBroker | null = null;
const sockets: Socket[] = [];
const openSocket = (port: number) => open(port, sockets);
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await broker?.close();
  broker = null;
});

async function start(limits: Partial<BrokerLimits> = {}): Promise<HandsetBroker> {
  broker = await startBroker({ secret: SECRET, limits });
  return broker;
}

describe('packet size on the embedded broker', () => {
  it('cuts a 100 MB CONNECT from a client that never logged in after a few MB at most', async () => {
    const { port } = await start();
    const socket = await openSocket(port!);
    const rssBefore = process.memoryUsage().rss;
    const result = await streamUntilClosed(socket, fixedHeader(0x10, 100 * MB), 100 * MB);
    expect(result.closed).toBe(true);
    // What was written before the close sat in socket buffers; the broker read a fraction of it.
    expect(result.written).toBeLessThan(16 * MB);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(64 * MB);
  });

  it('cuts a 100 MB CONNECT sent over the WebSocket listener in small messages', async () => {
    const { wsUrl } = await start();
    const socket = new WebSocket(wsUrl!, 'mqtt');
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    const closedAt = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    socket.send(fixedHeader(0x10, 100 * MB));
    let sent = 0;
    const chunk = Buffer.alloc(64 * 1024);
    while (socket.readyState === WebSocket.OPEN && sent < 100 * MB) {
      socket.send(chunk);
      sent += chunk.length;
      if (socket.bufferedAmount > 4 * MB) await sleep(10);
    }
    await withinMs(closedAt, SLACK_MS, 'the WebSocket close');
    expect(sent).toBeLessThan(16 * MB);
  });

  it('closes a WebSocket whose single message is larger than the packet limit (1009)', async () => {
    const { wsUrl } = await start({ maxPacketBytes: 64 * 1024 });
    const socket = new WebSocket(wsUrl!, 'mqtt');
    await new Promise((resolve) => socket.once('open', resolve));
    const code = new Promise<number>((resolve) => socket.once('close', (closeCode) => resolve(closeCode)));
    socket.send(Buffer.alloc(MB));
    expect(await withinMs(code, SLACK_MS, 'the WebSocket close')).toBe(1009);
  });

  it('advertises its Maximum Packet Size in CONNACK', async () => {
    const { tcpUrl } = await start({ maxPacketBytes: 100_000 });
    const alice = `alice-${nanoid(6)}`;
    const client = connect(tcpUrl!, {
      protocolVersion: 5,
      username: alice,
      password: createToken(alice, SECRET, 60),
      clientId: `${alice}:phone`,
      reconnectPeriod: 0,
    });
    const connack = await new Promise<IConnackPacket>((resolve) => client.once('connect', resolve));
    expect(connack.properties?.maximumPacketSize).toBe(100_000);
    await client.endAsync();
  });

  it('refuses a 20 MB PUBLISH from a logged-in client with DISCONNECT 0x95, without reading it whole', async () => {
    const { tcpUrl } = await start();
    const [alice, bob] = [`alice-${nanoid(6)}`, `bob-${nanoid(6)}`];
    const sender = await rawClient(tcpUrl!, alice, createToken(alice, SECRET, 60));
    const reason = new Promise<number | undefined>((resolve) =>
      sender.once('disconnect', (packet) => resolve(packet.reasonCode)),
    );
    // mqtt.js itself would refuse to send past the advertised limit, so the bytes go on its socket.
    const topic = Buffer.from(topics.inbox(bob, alice));
    const header = Buffer.concat([
      fixedHeader(0x30, 20 * MB),
      Buffer.from([topic.length >> 8, topic.length & 0xff]),
      topic,
    ]);
    const rssBefore = process.memoryUsage().rss;
    const result = await streamUntilClosed(sender.stream, header, 20 * MB);
    expect(result.closed).toBe(true);
    expect(await withinMs(reason, SLACK_MS, 'the DISCONNECT')).toBe(0x95);
    expect(result.written).toBeLessThan(16 * MB);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(64 * MB);
    sender.end(true);
  });
});

describe('handshakes on the embedded broker', () => {
  it('closes a TCP socket that never sends CONNECT at the handshake deadline', async () => {
    const { port } = await start({ handshakeDeadlineMs: 1000 });
    const socket = await openSocket(port!);
    const opened = Date.now();
    await withinMs(closed(socket), 1000 + SLACK_MS, 'the close');
    expect(Date.now() - opened).toBeGreaterThanOrEqual(900);
  });

  it('closes an HTTP upgrade that is never finished, and a WebSocket that never sends CONNECT', async () => {
    const { wsPort, wsUrl } = await start({ handshakeDeadlineMs: 1000 });
    const dripping = await openSocket(wsPort!);
    dripping.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    const silentWs = new WebSocket(wsUrl!, 'mqtt');
    const wsClosed = new Promise((resolve) => silentWs.once('close', resolve));
    await withinMs(Promise.all([closed(dripping), wsClosed]), 1000 + SLACK_MS, 'both closes');
  });

  it('keeps a logged-in client past the handshake deadline', async () => {
    const { tcpUrl } = await start({ handshakeDeadlineMs: 500 });
    const alice = `alice-${nanoid(6)}`;
    const client = await rawClient(tcpUrl!, alice, createToken(alice, SECRET, 60));
    await sleep(1500);
    expect(client.connected).toBe(true);
    expect(await publishReason(client, topics.presence(alice, client.options.clientId!), 'online')).toBe(0);
    await client.endAsync();
  });
});

describe('connections per address and pending connections on the embedded broker', () => {
  it('refuses a connection over the per-address cap at once, on both listeners, and admits again after one closes', async () => {
    const { port, wsPort, tcpUrl } = await start({
      maxConnectionsPerAddress: 3,
      handshakeDeadlineMs: 60_000,
    });
    const held = [await openSocket(port!), await openSocket(port!), await openSocket(wsPort!)];
    const overTcp = await openSocket(port!);
    const overWs = await openSocket(wsPort!);
    await withinMs(Promise.all([closed(overTcp), closed(overWs)]), SLACK_MS, 'refusal');
    expect(held.every((socket) => !socket.destroyed)).toBe(true);
    held[0]!.destroy();
    await sleep(100);
    const alice = `alice-${nanoid(6)}`;
    const client = await rawClient(tcpUrl!, alice, createToken(alice, SECRET, 60));
    expect(client.connected).toBe(true);
    await client.endAsync();
  });

  it('closes the oldest pending socket when the pool is full, so an honest login gets through a held flood', async () => {
    const { port, tcpUrl } = await start({ maxPendingConnections: 3, handshakeDeadlineMs: 60_000 });
    const [alice, bob] = [`alice-${nanoid(6)}`, `bob-${nanoid(6)}`];
    const sender = await rawClient(tcpUrl!, alice, createToken(alice, SECRET, 60));
    const silent = [await openSocket(port!), await openSocket(port!), await openSocket(port!)];
    // Bob's login arrives while three silent sockets fill the pool: the oldest of them makes room.
    const honest = await rawClient(tcpUrl!, bob, createToken(bob, SECRET, 60));
    expect(honest.connected).toBe(true);
    await withinMs(closed(silent[0]!), SLACK_MS, 'the eviction');
    expect(silent.slice(1).every((socket) => !socket.destroyed)).toBe(true);
    // Logged-in clients are not pending: the flood never touches them.
    expect(await publishReason(sender, topics.inbox(bob, alice), encodeEnvelope(invite(alice, bob)))).toBe(0);
    await Promise.all([sender.endAsync(), honest.endAsync()]);
  });
});

describe('a slow consumer on the embedded broker', () => {
  it('closes a logged-in client that stops reading once its queued bytes pass the limit; the sender keeps going', async () => {
    const { tcpUrl, aedes } = await start({ maxQueuedBytesPerConnection: MB });
    const [alice, bob] = [`alice-${nanoid(6)}`, `bob-${nanoid(6)}`];
    const stalled = await rawClient(tcpUrl!, bob, createToken(bob, SECRET, 60));
    await stalled.subscribeAsync(topics.inboxFilter(bob), { qos: 0 });
    const stalledId = stalled.options.clientId!;
    const cut = new Promise<void>((resolve) =>
      aedes.on('clientDisconnect', (client) => {
        if (client.id === stalledId) resolve();
      }),
    );
    // Bob's device keeps its link but never reads again.
    stalled.stream.pause();
    const sender = await rawClient(tcpUrl!, alice, createToken(alice, SECRET, 60));
    const rssBefore = process.memoryUsage().rss;
    let sent = 0;
    let isCut = false;
    void cut.then(() => {
      isCut = true;
    });
    // ~45 KB invites, each a valid envelope, until the broker gives up on Bob (bounded: 40 MB at most).
    const big = invite(alice, bob);
    const frame = encodeEnvelope({ ...big, sdp: 'x'.repeat(45_000) } as typeof big);
    while (!isCut && sent < 900) {
      expect(await publishReason(sender, topics.inbox(bob, alice), frame)).toBe(0);
      sent += 1;
    }
    await withinMs(cut, SLACK_MS, "the slow consumer's disconnect");
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(64 * MB);
    // The sender's own link is untouched.
    expect(await publishReason(sender, topics.presence(alice, sender.options.clientId!), 'online')).toBe(0);
    stalled.end(true);
    await sender.endAsync();
  });
});
