// The shipped mosquitto configuration's limits, held against mosquitto itself: big packets before and
// after login, the queue one offline session can pin, connections per listener, and sockets that never
// send CONNECT.
import type { Socket } from 'node:net';
import { createTopicLayout } from '@handset/adapter-mqtt';
import { connect, type MqttClient } from 'mqtt';
import { nanoid } from 'nanoid';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import {
  closed,
  fixedHeader,
  MB,
  openSocket,
  SLACK_MS,
  streamUntilClosed,
  withinMs,
} from './support/flood.js';
import { sleep } from './support/frames.js';
import { type Mosquitto, startMosquitto } from './support/mosquitto.js';
import { publishReason, rawClient } from './support/raw-client.js';

const topics = createTopicLayout();
const sockets: Socket[] = [];
afterEach(() => {
  for (const socket of sockets.splice(0)) socket.destroy();
});

/** mosquitto 2.0 gives a new connection a 60 s keepalive before CONNECT and closes it after 1.5 times that. */
const MOSQUITTO_PRE_CONNECT_CLOSE_MS = 90_000;

describe('mosquitto with the shipped configuration: limits', () => {
  let mosquitto: Mosquitto;
  let port: number;
  beforeAll(async () => {
    mosquitto = await startMosquitto();
    port = Number(new URL(mosquitto.tcpUrl).port);
  });
  afterAll(() => mosquitto?.stop());

  it('cuts a 100 MB CONNECT from a client that never logged in after a few MB at most', async () => {
    const socket = await openSocket(port, sockets);
    const result = await streamUntilClosed(socket, fixedHeader(0x10, 100 * MB), 100 * MB);
    expect(result.closed).toBe(true);
    expect(result.written).toBeLessThan(16 * MB);
  });

  it('disconnects a logged-in client that sends a 20 MB PUBLISH (max_packet_size)', async () => {
    const alice = `alice-${nanoid(6)}`;
    const sender = await rawClient(mosquitto.tcpUrl, alice, await mosquitto.addUser(alice));
    const topic = Buffer.from(topics.inbox(`bob-${nanoid(6)}`, alice));
    const header = Buffer.concat([
      fixedHeader(0x30, 20 * MB),
      Buffer.from([topic.length >> 8, topic.length & 0xff]),
      topic,
    ]);
    const result = await streamUntilClosed(sender.stream, header, 20 * MB);
    expect(result.closed).toBe(true);
    expect(result.written).toBeLessThan(16 * MB);
    sender.end(true);
  });

  it('keeps at most max_queued_messages (100) for a session whose device is away', async () => {
    const [alice, bob] = [`alice-${nanoid(6)}`, `bob-${nanoid(6)}`];
    const bobPassword = await mosquitto.addUser(bob);
    const session = {
      protocolVersion: 5 as const,
      username: bob,
      password: bobPassword,
      clientId: `${bob}:phone`,
      clean: false,
      properties: { sessionExpiryInterval: 120 },
      reconnectPeriod: 0,
    };
    const away = connect(mosquitto.tcpUrl, session);
    await new Promise((resolve) => away.once('connect', resolve));
    await away.subscribeAsync(topics.inboxFilter(bob), { qos: 1 });
    const gone = new Promise((resolve) => away.once('close', resolve));
    away.stream.destroy();
    await gone;

    const sender = await rawClient(mosquitto.tcpUrl, alice, await mosquitto.addUser(alice));
    const payload = 'x'.repeat(2000);
    for (let i = 0; i < 300; i += 1) {
      expect(await publishReason(sender, topics.inbox(bob, alice), payload)).toBe(0);
    }
    let received = 0;
    // Listen before CONNACK: the queue is sent right after it.
    const back: MqttClient = connect(mosquitto.tcpUrl, session);
    back.on('message', () => {
      received += 1;
    });
    await new Promise((resolve) => back.once('connect', resolve));
    // The queue arrives as one burst; wait until it has stopped (bounded), then count.
    let seen = -1;
    for (let rounds = 0; rounds < 50 && seen !== received; rounds += 1) {
      seen = received;
      await sleep(200);
    }
    expect(received).toBeGreaterThan(0);
    // 100 queued plus what was in flight (max_inflight_messages 20) when the link dropped.
    expect(received).toBeLessThanOrEqual(120);
    await Promise.all([back.endAsync(), sender.endAsync()]);
  });

  it('closes a socket on the WebSocket listener that never finishes its HTTP upgrade (libwebsockets, 10 s)', async () => {
    const wsPort = Number(new URL(mosquitto.wsUrl).port);
    const dripping = await openSocket(wsPort, sockets);
    dripping.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    await withinMs(closed(dripping), 10_000 + SLACK_MS, 'the close');
  });

  it(
    'closes TCP and WebSocket connections that never send CONNECT (mosquitto 2.0: after 90 s, not configurable)',
    async () => {
      const silentTcp = await openSocket(port, sockets);
      const silentWs = new WebSocket(mosquitto.wsUrl, 'mqtt');
      const wsGone = new Promise((resolve) => silentWs.once('close', resolve));
      await withinMs(
        Promise.all([closed(silentTcp), wsGone]),
        MOSQUITTO_PRE_CONNECT_CLOSE_MS + 30_000,
        'both closes',
      );
    },
    MOSQUITTO_PRE_CONNECT_CLOSE_MS + 40_000,
  );
});
