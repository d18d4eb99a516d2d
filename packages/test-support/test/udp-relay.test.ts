// The lossy relay on its own, with plain UDP sockets standing for two peers: it forwards both ways through
// mirror ports, drops what it is told to, delays, forgets a cut path, and releases every socket on close.
import { createSocket, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { LOOPBACK_ADDRESS, UdpRelay } from '../src/index.js';

const sockets: Socket[] = [];
const relays: UdpRelay[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.close();
  await Promise.all(relays.splice(0).map((relay) => relay.close()));
});

async function peer(): Promise<{ socket: Socket; port: number; received: string[] }> {
  const socket = createSocket('udp4');
  sockets.push(socket);
  const received: string[] = [];
  socket.on('message', (data) => received.push(data.toString()));
  await new Promise<void>((resolve) => socket.bind(0, LOOPBACK_ADDRESS, resolve));
  return { socket, port: socket.address().port, received };
}

async function until(check: () => boolean, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function setup() {
  const relay = new UdpRelay();
  relays.push(relay);
  const [a, b] = [await peer(), await peer()];
  // What each peer would learn as the other's candidate.
  const toB = await relay.mirrorPortFor(b.port);
  const toA = await relay.mirrorPortFor(a.port);
  return { relay, a, b, toA, toB };
}

describe('UdpRelay', () => {
  it('forwards both ways, each peer seeing the other at its mirror port', async () => {
    const { a, b, toA, toB } = await setup();
    let seenFrom = 0;
    b.socket.once('message', (_, from) => {
      seenFrom = from.port;
    });
    a.socket.send('hello', toB, LOOPBACK_ADDRESS);
    await until(() => b.received.length === 1);
    expect(seenFrom).toBe(toA);
    b.socket.send('back', seenFrom, LOOPBACK_ADDRESS);
    await until(() => a.received.length === 1);
    expect([a.received, b.received]).toEqual([['back'], ['hello']]);
  });

  it('rewrites loopback candidates, in a line or an SDP, to mirror ports', async () => {
    const { relay, b, toB } = await setup();
    const line = `candidate:1 1 udp 2122260223 127.0.0.1 ${b.port} typ host`;
    expect(await relay.rewrite(line)).toBe(`candidate:1 1 udp 2122260223 127.0.0.1 ${toB} typ host`);
    expect(await relay.rewrite(`v=0\r\na=${line}\r\n`)).toContain(`127.0.0.1 ${toB} typ host`);
  });

  it('drops every datagram at drop rate 1, and counts them', async () => {
    const { relay, a, b, toB } = await setup();
    relay.set({ dropRate: 1 });
    for (let i = 0; i < 20; i++) a.socket.send(`x${i}`, toB, LOOPBACK_ADDRESS);
    await until(() => relay.counts.dropped === 20);
    expect(b.received).toEqual([]);
    relay.set({ dropRate: 0 });
    a.socket.send('through', toB, LOOPBACK_ADDRESS);
    await until(() => b.received.length === 1);
    expect(b.received).toEqual(['through']);
  });

  it('delays what it forwards', async () => {
    const { relay, a, b, toB } = await setup();
    relay.set({ delayMs: 200 });
    const sent = Date.now();
    a.socket.send('late', toB, LOOPBACK_ADDRESS);
    await until(() => b.received.length === 1);
    expect(Date.now() - sent).toBeGreaterThanOrEqual(190);
  });

  it('after cut(), the old path carries nothing and a new mirror carries traffic again', async () => {
    const { relay, a, b, toB } = await setup();
    relay.cut();
    a.socket.send('lost', toB, LOOPBACK_ADDRESS);
    await until(() => relay.counts.dropped === 1);
    const newToB = await relay.mirrorPortFor(b.port);
    expect(newToB).not.toBe(toB);
    a.socket.send('found', newToB, LOOPBACK_ADDRESS);
    await until(() => b.received.length === 1);
    expect(b.received).toEqual(['found']);
  });
});
