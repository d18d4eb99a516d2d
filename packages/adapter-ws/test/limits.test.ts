// Rate and byte budgets per connection, per user (across its connections and reconnects) and per source
// address; bad frames close a connection early; a hostile flood does not stop other users' exchange.
import { createEnvelope, encodeEnvelope } from '@handset/core';
import { nanoid } from 'nanoid';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, type SignalServer, type SignalServerLimits } from '../src/server/index.js';
import { type AddressedClient, loginFrom, tryOpen } from './support/front-door.js';
import { ringing, startTestServer } from './support/harness.js';
import { UNLIMITED } from './support/limits.js';

let server: SignalServer;
const clients: AddressedClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.socket.terminate();
  await server?.close({ drainMs: 100 });
});

async function start(limits: Partial<SignalServerLimits>): Promise<SignalServer> {
  server = await startTestServer({ limits: { ...UNLIMITED, ...limits } });
  return server;
}

async function login(userId: string, localAddress = '127.0.0.1'): Promise<AddressedClient> {
  const client = await loginFrom(server.url, server.issueToken(userId), localAddress);
  clients.push(client);
  return client;
}

/** Round-trips a ping: the server has handled everything this client sent before it. */
async function settle(client: AddressedClient): Promise<void> {
  const t = Math.random();
  client.send(JSON.stringify({ kind: 'ping', t }));
  await client.next((f) => f.kind === 'pong' && f.t === t);
}

/** A valid invite of about 47 KB (core's SDP limit is 48 KiB). */
function bigInvite(from: string, to: string): string {
  return encodeEnvelope(
    createEnvelope(
      {
        type: 'invite',
        callId: nanoid(),
        from,
        fromDevice: `${from}-1`,
        to,
        sdp: `v=0\r\n${'a=x-filler\r\n'.repeat(3_900)}`,
        media: { audio: true, video: true },
        lifetimeMs: 30_000,
      },
      nanoid(),
    ),
  );
}

const from = (client: AddressedClient, sender: string) =>
  client.frames.filter((f) => f.from === sender).length;
const errors = (client: AddressedClient, code: string) =>
  client.frames.filter((f) => f.kind === 'error' && f.code === code).length;

describe('per user', () => {
  it('one account reconnecting after every close cannot exceed the per-user rate', async () => {
    const perSecond = 20;
    const burst = 40;
    await start({
      messagesPerSecond: 50,
      messageBurst: 200,
      userMessagesPerSecond: perSecond,
      userMessageBurst: burst,
      rateViolationsBeforeClose: 50,
      maxConnectionsPerUser: 8,
    });
    const bob = await login('bob');
    const started = Date.now();
    let connections = 0;
    // Bounded: at most 3 s and 30 connections, 300 envelopes each.
    while (Date.now() - started < 3_000 && connections < 30) {
      const mallory = await login('mallory');
      connections += 1;
      for (let i = 0; i < 300; i += 1) mallory.send(encodeEnvelope(ringing('mallory', 'bob')));
      await Promise.race([mallory.closed, settle(mallory).catch(() => {})]);
      mallory.socket.terminate();
    }
    const elapsedS = (Date.now() - started) / 1000;
    await settle(bob);
    const delivered = from(bob, 'mallory');
    expect(connections).toBeGreaterThan(1);
    expect(delivered).toBeGreaterThan(0);
    // Each fresh connection had a fresh per-connection burst of 200; the user's budget did not reset.
    expect(delivered).toBeLessThanOrEqual(burst + perSecond * elapsedS + 5);
  });

  it('two connections of one user share its byte budget', async () => {
    await start({ userBytesPerSecond: 64 * 1024, userByteBurst: 192 * 1024 });
    const bob = await login('bob');
    const [a1, a2] = [await login('alice'), await login('alice')];
    for (let i = 0; i < 10; i += 1) {
      a1.send(bigInvite('alice', 'bob'));
      a2.send(bigInvite('alice', 'bob'));
    }
    await Promise.all([settle(a1), settle(a2)]);
    await settle(bob);
    // 192 KiB of burst is 4 invites, plus whatever refilled while they were sent: far from 20.
    expect(from(bob, 'alice')).toBeLessThanOrEqual(6);
    expect(errors(a1, 'rate-limited') + errors(a2, 'rate-limited')).toBeGreaterThan(0);
  });
});

describe('per connection', () => {
  it('big valid invites hit the byte limit before the frame limit', async () => {
    await start({
      messagesPerSecond: 50,
      messageBurst: 200,
      bytesPerSecond: 64 * 1024,
      byteBurst: 192 * 1024,
    });
    const bob = await login('bob');
    const alice = await login('alice');
    for (let i = 0; i < 20; i += 1) alice.send(bigInvite('alice', 'bob'));
    await settle(alice);
    await settle(bob);
    expect(from(bob, 'alice')).toBeLessThanOrEqual(6);
    expect(errors(alice, 'rate-limited')).toBe(1);
    expect(alice.socket.readyState).toBe(alice.socket.OPEN);
  });
});

describe('per source address', () => {
  it('connections of different users from one address share its frame budget; other addresses do not', async () => {
    await start({ addressMessagesPerSecond: 1, addressMessageBurst: 30 });
    const bob = await login('bob', '127.0.0.3');
    const [m1, m2] = [await login('mallory', '127.0.0.2'), await login('trudy', '127.0.0.2')];
    const started = Date.now();
    for (let i = 0; i < 40; i += 1) {
      m1.send(encodeEnvelope(ringing('mallory', 'bob')));
      m2.send(encodeEnvelope(ringing('trudy', 'bob')));
    }
    const carol = await login('carol', '127.0.0.4');
    // Carol's address has a budget of its own (20 is within its burst of 30).
    for (let i = 0; i < 20; i += 1) carol.send(encodeEnvelope(ringing('carol', 'bob')));
    await settle(carol);
    // The shared budget is empty now: each settling ping waits for one token to refill (1 per second).
    for (const client of [m1, m2]) {
      await client.next((f) => f.code === 'rate-limited');
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      await settle(client);
    }
    const elapsedS = (Date.now() - started) / 1000;
    await settle(bob);
    expect(from(bob, 'mallory') + from(bob, 'trudy')).toBeLessThanOrEqual(30 + elapsedS);
    expect(from(bob, 'carol')).toBe(20);
  });
});

describe('per source address, bytes', () => {
  it('big invites from two users at one address share its byte budget', async () => {
    await start({ addressBytesPerSecond: 64 * 1024, addressByteBurst: 192 * 1024 });
    const bob = await login('bob', '127.0.0.3');
    const [m1, m2] = [await login('mallory', '127.0.0.2'), await login('trudy', '127.0.0.2')];
    for (let i = 0; i < 10; i += 1) {
      m1.send(bigInvite('mallory', 'bob'));
      m2.send(bigInvite('trudy', 'bob'));
    }
    // Pings are small: the byte budget refills enough for them within a second.
    await Promise.all([settle(m1), settle(m2)]);
    await settle(bob);
    expect(from(bob, 'mallory') + from(bob, 'trudy')).toBeLessThanOrEqual(6);
    expect(errors(m1, 'rate-limited') + errors(m2, 'rate-limited')).toBeGreaterThan(0);
  });
});

describe('frame size', () => {
  it('closes a connection with 1009 for a frame above maxHelloBytes before it has logged in', async () => {
    await start({});
    const attempt = await tryOpen(server.url);
    if (!attempt.ok) throw new Error('upgrade refused');
    attempt.socket.send(JSON.stringify({ kind: 'hello', token: 'x'.repeat(16 * 1024) }));
    expect((await attempt.closed).code).toBe(1009);
  });

  it('accepts frames up to maxFrameBytes once logged in', async () => {
    await start({});
    const bob = await login('bob');
    const alice = await login('alice');
    const invite = bigInvite('alice', 'bob');
    expect(invite.length).toBeGreaterThan(DEFAULT_LIMITS.maxHelloBytes);
    alice.send(invite);
    await settle(alice);
    await settle(bob);
    expect(from(bob, 'alice')).toBe(1);
  });
});

describe('bad frames', () => {
  it('closes a connection with 1008 too-many-bad-frames after badFramesBeforeClose bad frames', async () => {
    await start({ badFramesBeforeClose: 5 });
    const mallory = await login('mallory');
    for (let i = 0; i < 8; i += 1) mallory.send('{"v":1,');
    expect((await mallory.closed).code).toBe(1008);
    expect(errors(mallory, 'malformed-json')).toBe(5);
    expect(errors(mallory, 'too-many-bad-frames')).toBe(1);
  });

  it('a bounded hostile flood from four connections does not stop an exchange between two other users', async () => {
    await start({ badFramesBeforeClose: 20 });
    const hostile = await Promise.all(['m1', 'm2', 'm3', 'm4'].map((id) => login(id)));
    const [alice, bob] = [await login('alice'), await login('bob')];
    const garbage = ['{"v":1,', '[1,2,3]', JSON.stringify({ kind: 'sudo' }), 'x'.repeat(10_000)];
    const floodStarted = Date.now();
    // 4 x 2,000 frames, sent in slices so the honest exchange interleaves with the flood.
    const flood = (async () => {
      for (let slice = 0; slice < 20; slice += 1) {
        for (const client of hostile)
          for (let i = 0; i < 100; i += 1) client.send(garbage[i % garbage.length] ?? '');
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    const callId = nanoid();
    for (let round = 0; round < 20; round += 1) {
      const ask = createEnvelope(
        { type: 'ringing', callId, from: 'alice', fromDevice: 'a', to: 'bob' },
        nanoid(),
      );
      alice.send(encodeEnvelope(ask));
      await bob.next((f) => f.id === ask.id);
      const reply = createEnvelope(
        { type: 'ringing', callId, from: 'bob', fromDevice: 'b', to: 'alice' },
        nanoid(),
      );
      bob.send(encodeEnvelope(reply));
      await alice.next((f) => f.id === reply.id);
    }
    await flood;
    const closes = await Promise.all(hostile.map((client) => client.closed));
    expect(closes.map((c) => c.code)).toEqual([1008, 1008, 1008, 1008]);
    // One bad frame is forgiven per second: a loaded machine that takes longer to read the flood forgives more.
    const forgiven = Math.ceil((Date.now() - floodStarted) / 1000);
    for (const client of hostile)
      expect(client.frames.filter((f) => f.kind === 'error').length).toBeLessThanOrEqual(21 + forgiven);
  });
});
