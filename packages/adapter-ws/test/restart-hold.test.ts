// A signaling restart loses nothing: what a returning client sends right after the server started, to a
// user who is not back yet, is held (bounded in count, bytes and time) and delivered when that user
// returns, instead of being answered `unavailable` and dropped.

import type { AddressInfo } from 'node:net';
import { createServer, type Server, type Socket } from 'node:net';
import { createEnvelope, type Envelope, encodeEnvelope } from '@handset/core';
import { nanoid } from 'nanoid';
import { afterEach, describe, expect, it } from 'vitest';
import type { SignalServer, SignalServerOptions } from '../src/server/index.js';
import { isKind, type RawClient, rawClient, ringing, startTestServer, waitFor } from './support/harness.js';
import { allOpen, CALL_MS, connectCall, createWeriftPhones, reach } from './support/werift-phones.js';

const phones = createWeriftPhones();
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  await phones.closeAll();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function serve(
  options: SignalServerOptions = {},
): Promise<SignalServer & { logs: { event: string }[] }> {
  const server = await startTestServer(options);
  cleanups.push(() => server.close({ drainMs: 100 }));
  return server;
}

async function connect(server: SignalServer, userId: string, sessionId?: string) {
  const client = await rawClient(server);
  cleanups.push(() => client.socket.terminate());
  client.send(
    JSON.stringify({ kind: 'hello', token: server.issueToken(userId), ...(sessionId ? { sessionId } : {}) }),
  );
  const welcome = await client.next(isKind('welcome'));
  return { client, sessionId: String(welcome.sessionId) };
}

async function settle(client: RawClient): Promise<void> {
  const t = Math.random();
  client.send(JSON.stringify({ kind: 'ping', t }));
  await client.next((f) => f.kind === 'pong' && f.t === t);
}

function hangup(callId: string): Envelope {
  return createEnvelope(
    { type: 'hangup', callId, from: 'alice', fromDevice: 'alice-device', to: 'bob', reason: 'normal' },
    nanoid(),
  );
}

const unavailables = (client: RawClient) =>
  client.frames.filter((f) => (JSON.parse(f) as { type?: string }).type === 'unavailable');

/** Alice and Bob in a call on a first server, which then stops; returns their session ids and the call. */
async function callThenStop() {
  const first = await serve({ limits: { sessionGraceMs: 10_000 } });
  const alice = await connect(first, 'alice');
  const bob = await connect(first, 'bob');
  const invite = ringing('alice', 'bob');
  alice.client.send(encodeEnvelope(invite));
  await bob.client.next((f) => f.id === invite.id);
  await first.close({ drainMs: 100 });
  return { port: first.port, alice: alice.sessionId, bob: bob.sessionId, callId: invite.callId };
}

describe('a restart of the signaling server', () => {
  it("delivers the caller's hang-up to a callee who reconnects after it, in every run", async () => {
    for (let run = 0; run < 3; run += 1) {
      const before = await callThenStop();
      const second = await serve({ port: before.port, limits: { sessionGraceMs: 10_000 } });
      const alice = await connect(second, 'alice', before.alice);
      const bye = hangup(before.callId);
      alice.client.send(encodeEnvelope(bye));
      await settle(alice.client);
      expect(unavailables(alice.client)).toEqual([]);
      const bob = await connect(second, 'bob', before.bob);
      expect(await bob.client.next((f) => f.id === bye.id, 3_000)).toMatchObject({
        type: 'hangup',
        from: 'alice',
        callId: before.callId,
      });
      await second.close({ drainMs: 100 });
    }
  });

  it("delivers what it held to each of the user's devices that comes back, and answers no unavailable", async () => {
    const first = await serve({ limits: { sessionGraceMs: 10_000 } });
    const alice = await connect(first, 'alice');
    const phone = await connect(first, 'bob');
    const laptop = await connect(first, 'bob');
    const invite = ringing('alice', 'bob');
    alice.client.send(encodeEnvelope(invite));
    await phone.client.next((f) => f.id === invite.id);
    await first.close({ drainMs: 100 });
    const second = await serve({ port: first.port, limits: { sessionGraceMs: 1_500 } });
    const aliceBack = await connect(second, 'alice', alice.sessionId);
    const bye = hangup(invite.callId);
    aliceBack.client.send(encodeEnvelope(bye));
    await settle(aliceBack.client);
    const laptopBack = await connect(second, 'bob', laptop.sessionId);
    await laptopBack.client.next((f) => f.id === bye.id);
    const phoneBack = await connect(second, 'bob', phone.sessionId);
    expect(await phoneBack.client.next((f) => f.id === bye.id)).toMatchObject({ type: 'hangup' });
    // The hold runs out: Bob came back, so Alice hears no `unavailable` for what was delivered.
    await new Promise((resolve) => setTimeout(resolve, 1_700));
    await settle(aliceBack.client);
    expect(unavailables(aliceBack.client)).toEqual([]);
  });

  it('answers unavailable for what it held once the hold runs out and the user never came back', async () => {
    const before = await callThenStop();
    const second = await serve({ port: before.port, limits: { sessionGraceMs: 400 } });
    const alice = await connect(second, 'alice', before.alice);
    alice.client.send(encodeEnvelope(hangup(before.callId)));
    expect(await alice.client.next((f) => f.type === 'unavailable')).toMatchObject({
      callId: before.callId,
      from: 'bob',
      fromDevice: 'server',
    });
  });

  it('answers a new client (no earlier session) about an absent user at once, as before', async () => {
    const before = await callThenStop();
    const second = await serve({ port: before.port, limits: { sessionGraceMs: 10_000 } });
    const carol = await connect(second, 'carol');
    const call = ringing('carol', 'dave');
    carol.client.send(encodeEnvelope(call));
    expect(await carol.client.next((f) => f.type === 'unavailable', 2_000)).toMatchObject({
      callId: call.callId,
    });
  });

  it('holds nothing once sessionGraceMs has passed since the start: the earlier run is long gone', async () => {
    const before = await callThenStop();
    const second = await serve({ port: before.port, limits: { sessionGraceMs: 3_000 } });
    await new Promise((resolve) => setTimeout(resolve, 3_100));
    const alice = await connect(second, 'alice', before.alice);
    alice.client.send(encodeEnvelope(hangup(before.callId)));
    // At once, not after a hold of another 3 s.
    expect(await alice.client.next((f) => f.type === 'unavailable', 2_000)).toMatchObject({
      callId: before.callId,
    });
  });

  it('holds at most maxQueuedPerSession envelopes for one absent user, dropping the oldest', async () => {
    const before = await callThenStop();
    const second = await serve({
      port: before.port,
      limits: { sessionGraceMs: 10_000, maxQueuedPerSession: 3 },
    });
    const alice = await connect(second, 'alice', before.alice);
    const sent = Array.from({ length: 5 }, () => ringing('alice', 'bob', before.callId));
    for (const envelope of sent) alice.client.send(encodeEnvelope(envelope));
    await settle(alice.client);
    const bob = await connect(second, 'bob', before.bob);
    await bob.client.next((f) => f.id === sent[4]?.id);
    await settle(bob.client);
    const got = bob.client.frames.map((f) => JSON.parse(f) as { id?: string }).filter((f) => f.id);
    expect(got.map((f) => f.id)).toEqual(sent.slice(2).map((e) => e.id));
  });

  it('answers unavailable at once past the total held count (maxHeldForAbsent), holding nothing more', async () => {
    const before = await callThenStop();
    const second = await serve({
      port: before.port,
      limits: { sessionGraceMs: 10_000, maxHeldForAbsent: 2 },
    });
    const alice = await connect(second, 'alice', before.alice);
    const toOthers = ['bob', 'carol', 'dave'].map((to) => ringing('alice', to));
    for (const envelope of toOthers) alice.client.send(encodeEnvelope(envelope));
    expect(await alice.client.next((f) => f.type === 'unavailable', 2_000)).toMatchObject({
      callId: toOthers[2]?.callId,
    });
    await settle(alice.client);
    expect(unavailables(alice.client)).toHaveLength(1);
  });

  it('answers unavailable at once past the held bytes (maxHeldBytesForAbsent)', async () => {
    const before = await callThenStop();
    const second = await serve({
      port: before.port,
      limits: { sessionGraceMs: 10_000, maxHeldBytesForAbsent: 400 },
    });
    const alice = await connect(second, 'alice', before.alice);
    const first = ringing('alice', 'bob', before.callId);
    const second_ = ringing('alice', 'carol');
    const third = ringing('alice', 'dave');
    for (const envelope of [first, second_, third]) alice.client.send(encodeEnvelope(envelope));
    await settle(alice.client);
    const refused = unavailables(alice.client).map((f) => (JSON.parse(f) as { callId: string }).callId);
    // Each ringing is ~170 bytes: two fit in 400, the third does not.
    expect(refused).toEqual([third.callId]);
  });

  it('ends a werift callee with hangup when the caller hung up while the server was down and then quit, in every run', async () => {
    for (let run = 0; run < 3; run += 1) {
      const first = await serve();
      const gate = await startGate(first.port);
      cleanups.push(() => gate.close());
      const alice = phones.on(first.url, 'alice');
      const bob = phones.on(gate.url, 'bob');
      await allOpen(alice, bob);
      const { callerView } = await connectCall(alice.phone, bob.phone);
      // The server stops; Bob cannot reach it again until the gate opens.
      gate.shut();
      await first.close({ drainMs: 200 });
      await waitFor(alice.transport.status$, (s) => s === 'reconnecting');
      alice.phone.hangupCall();
      const second = await serve({ port: first.port });
      await waitFor(alice.transport.status$, (s) => s === 'open');
      // Alice's queued hang-up has been handled by the new server before Bob may come back.
      await waitUntil(() => second.logs.some((e) => (e as { callId?: string }).callId === callerView.callId));
      // Alice then quits: only the server can still tell Bob (her phone cannot answer his ICE restart).
      alice.phone.dispose();
      alice.transport.close();
      const bobEnded = reach(bob.phone, 'ended');
      await gate.open();
      await waitFor(bob.transport.status$, (s) => s === 'open');
      const reconnectedAt = Date.now();
      expect((await bobEnded).endReason).toEqual({ code: 'hangup', by: 'remote' });
      // "Within a few seconds" of Bob's return, not after ICE gives up (~40 s): a generous bound.
      expect(Date.now() - reconnectedAt).toBeLessThan(5_000);
      await phones.closeAll();
      await second.close({ drainMs: 100 });
      await gate.close();
    }
  }, 120_000);
});

async function waitUntil(condition: () => boolean, ms = CALL_MS): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * A TCP forwarder on a fixed port that can be shut (existing links cut, new ones refused: nothing listens)
 * and opened again on the same port, so one client reaches a restarted server only when the test says.
 */
async function startGate(targetPort: number) {
  const sockets = new Set<Socket>();
  let server: Server | null = null;
  const listen = async (port: number): Promise<number> => {
    const listening = createServer((client) => {
      const upstream = new (client.constructor as typeof Socket)();
      upstream.connect(targetPort, '127.0.0.1');
      for (const socket of [client, upstream]) {
        sockets.add(socket);
        socket.on('close', () => {
          sockets.delete(socket);
          client.destroy();
          upstream.destroy();
        });
        socket.on('error', () => socket.destroy());
      }
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((resolve) => listening.listen(port, '127.0.0.1', resolve));
    server = listening;
    return (listening.address() as AddressInfo).port;
  };
  const port = await listen(0);
  const shut = () => {
    server?.close();
    server = null;
    for (const socket of sockets) socket.destroy();
  };
  return {
    url: `ws://127.0.0.1:${port}/`,
    shut,
    async open() {
      await listen(port);
    },
    async close() {
      shut();
    },
  };
}
