// A client that keeps pinging but never reads must not make the server buffer without bound: once
// `maxBufferedBytes` wait in its socket it is closed with 4008 slow-consumer.

import type { Socket } from 'node:net';
import { createEnvelope, encodeEnvelope } from '@handset/core';
import { nanoid } from 'nanoid';
import { afterEach, expect, it } from 'vitest';
import { CLOSE_CODES, type SignalServer } from '../src/server/index.js';
import { type LogEntry, type RawClient, rawClient, startTestServer } from './support/harness.js';

let server: SignalServer & { logs: LogEntry[] };
const clients: RawClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.socket.terminate();
  await server?.close({ drainMs: 100 });
});

/** A valid invite of about 47 KB (core's SDP limit is 48 KiB). */
function bigInvite(to: string) {
  return encodeEnvelope(
    createEnvelope(
      {
        type: 'invite',
        callId: nanoid(),
        from: 'alice',
        fromDevice: 'a1',
        to,
        sdp: `v=0\r\n${'a=x-filler\r\n'.repeat(3_900)}`,
        media: { audio: true, video: true },
        lifetimeMs: 30_000,
      },
      nanoid(),
    ),
  );
}

async function settle(client: RawClient): Promise<void> {
  const t = Math.random();
  client.send(JSON.stringify({ kind: 'ping', t }));
  await client.next((f) => f.kind === 'pong' && f.t === t);
}

const maxBufferedBytes = 256 * 1024;

/**
 * Bob stops reading his socket but keeps pinging (he looks alive) while Alice, whose budgets are raised so
 * only Bob's reading is under test, sends him big invites until the server calls him a slow consumer.
 */
async function makeBobSlow(): Promise<{
  alice: RawClient;
  bob: RawClient;
  bobTcp: Socket;
  entry?: LogEntry;
}> {
  server = await startTestServer({
    limits: {
      maxBufferedBytes,
      messagesPerSecond: 10_000,
      messageBurst: 10_000,
      bytesPerSecond: 1e9,
      byteBurst: 1e9,
      userMessagesPerSecond: 10_000,
      userMessageBurst: 10_000,
      userBytesPerSecond: 1e9,
      userByteBurst: 1e9,
      addressMessagesPerSecond: 10_000,
      addressMessageBurst: 10_000,
      addressBytesPerSecond: 1e9,
      addressByteBurst: 1e9,
      pairInvitesPerMinute: 1e9,
      pairInviteBurst: 1e9,
    },
  });
  const bob = await rawClient(server, { token: server.issueToken('bob') });
  const alice = await rawClient(server, { token: server.issueToken('alice') });
  clients.push(bob, alice);
  const bobTcp = (bob.socket as unknown as { _socket: Socket })._socket;
  bobTcp.pause();
  const pinger = setInterval(() => bob.send(JSON.stringify({ kind: 'ping', t: Date.now() })), 100);
  const slow = () => server.logs.find((entry) => entry.event === 'slow-consumer');
  let sent = 0;
  try {
    // Bounded: 1,000 invites are ~47 MB, far past what loopback's socket buffers hold.
    while (sent < 1_000 && !slow()) {
      for (let i = 0; i < 10; i += 1) alice.send(bigInvite('bob'));
      sent += 10;
      await settle(alice);
    }
  } finally {
    clearInterval(pinger);
  }
  const entry = slow();
  return entry ? { alice, bob, bobTcp, entry } : { alice, bob, bobTcp };
}

/** Waits (bounded) until the server holds only `count` connections. */
async function serverHolds(count: number, ms: number): Promise<number> {
  const deadline = Date.now() + ms;
  while (server.health().connections > count && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return server.health().connections;
}

it('closes a client that pings but does not read with 4008 once maxBufferedBytes wait for it', async () => {
  const { alice, bob, bobTcp, entry } = await makeBobSlow();
  expect(entry, 'no slow-consumer after 1,000 invites').toBeDefined();
  // Never more than the bound plus the one frame that crossed it.
  expect(entry?.bufferedBytes as number).toBeLessThanOrEqual(maxBufferedBytes + 64 * 1024);
  bobTcp.resume();
  const closed = await bob.closed;
  expect(closed).toEqual({ code: CLOSE_CODES.slowConsumer, reason: 'slow-consumer' });
  // The server let go of Bob's socket (the client's close may be seen before the server's).
  expect(await serverHolds(1, 5_000)).toBe(1);
  // Alice is untouched by Bob's trouble.
  await settle(alice);
}, 60_000);

it('cuts a slow consumer that never reads its close frame within seconds, not after 30 s', async () => {
  const { alice, entry } = await makeBobSlow();
  expect(entry).toBeDefined();
  // Bob never resumes reading: his close frame waits behind what he did not read.
  expect(await serverHolds(1, 10_000)).toBe(1);
  await settle(alice);
}, 60_000);
