// Redis as an attacker and as an operator would meet it: envelopes PUBLISHed straight into Redis, node ids
// on the public /health, Redis with a password, an ACL user and TLS, and a Redis outage at login.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEnvelope, type Envelope, encodeEnvelope } from '@handset/core';
import { Redis } from 'ioredis';
import { nanoid } from 'nanoid';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createClusterFrames } from '../src/server/cluster-frame.js';
import { SignalingError, type SignalServer, startSignalServer } from '../src/server/index.js';
import { isKind, type RawClient, rawClient, ringing, SECRET, startTestServer } from './support/harness.js';
import { startRedis, type TestRedis } from './support/redis.js';
import { startTcpProxy } from './support/tcp-proxy.js';

const PASSWORD = 'redis-password-for-tests-0123';
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function redisWith(options: Parameters<typeof startRedis>[0] = {}): Promise<TestRedis> {
  const redis = await startRedis(options);
  cleanups.push(() => redis.stop());
  return redis;
}

async function node(options: Parameters<typeof startTestServer>[0]) {
  const server = await startTestServer(options);
  cleanups.push(() => server.close({ drainMs: 100 }));
  return server;
}

async function login(server: SignalServer, userId: string): Promise<RawClient> {
  const client = await rawClient(server, { token: server.issueToken(userId) });
  cleanups.push(() => client.socket.terminate());
  return client;
}

async function settle(client: RawClient): Promise<void> {
  const t = Math.random();
  client.send(JSON.stringify({ kind: 'ping', t }));
  await client.next((f) => f.kind === 'pong' && f.t === t);
}

/** Connections Redis holds besides the one asking. */
async function otherClients(admin: Redis): Promise<number> {
  const list = (await admin.client('LIST')) as string;
  return list.trim().split('\n').length - 1;
}

async function eventually(check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('what arrives from Redis is checked like anything from the network', () => {
  it('does not deliver envelopes PUBLISHed straight into Redis, and logs each with a code', async () => {
    const redis = await redisWith();
    const nodeA = await node({ redis: { url: redis.url }, nodeId: 'node-a' });
    const nodeB = await node({ redis: { url: redis.url }, nodeId: 'node-b' });
    const bob = await login(nodeA, 'bob');
    const attacker = new Redis(redis.url);
    cleanups.push(() => attacker.disconnect());
    const forged = createEnvelope(
      { type: 'hangup', callId: nanoid(), from: 'carol', fromDevice: 'server', to: 'bob', reason: 'normal' },
      nanoid(),
    );
    // The bare envelope, a frame dressed as a cluster frame with a made-up signature, and garbage.
    await attacker.publish('handset:node:node-a', encodeEnvelope(forged));
    await attacker.publish(
      'handset:node:node-a',
      JSON.stringify({ t: Date.now(), n: 'node-b', e: encodeEnvelope(forged), s: 'AAAA' }),
    );
    await attacker.publish('handset:node:node-a', '{"not":"a frame"');
    await eventually(() => nodeA.logs.filter((e) => e.event === 'cluster-bad-frame').length === 3);
    const codes = nodeA.logs.filter((e) => e.event === 'cluster-bad-frame').map((e) => e.code);
    expect(codes).toEqual(['cluster-frame-malformed', 'cluster-bad-signature', 'cluster-frame-malformed']);
    // A real envelope from the other node still arrives, and nothing forged came before it.
    const alice = await login(nodeB, 'alice');
    const honest = ringing('alice', 'bob');
    alice.send(encodeEnvelope(honest));
    await bob.next((f) => f.id === honest.id);
    expect(bob.frames.some((f) => f.includes(forged.id))).toBe(false);
  });

  it('drops a genuine cluster frame replayed as is, or re-dated', async () => {
    const redis = await redisWith();
    const nodeA = await node({ redis: { url: redis.url }, nodeId: 'node-a' });
    const nodeB = await node({ redis: { url: redis.url }, nodeId: 'node-b' });
    const bob = await login(nodeA, 'bob');
    const spy = new Redis(redis.url);
    cleanups.push(() => spy.disconnect());
    const captured: string[] = [];
    spy.on('message', (_channel: string, frame: string) => captured.push(frame));
    await spy.subscribe('handset:node:node-a');
    const alice = await login(nodeB, 'alice');
    const honest = ringing('alice', 'bob');
    alice.send(encodeEnvelope(honest));
    await bob.next((f) => f.id === honest.id);
    await eventually(() => captured.length === 1);
    const frame = JSON.parse(captured[0] as string) as { t: number };
    const publisher = new Redis(redis.url);
    cleanups.push(() => publisher.disconnect());
    await publisher.publish('handset:node:node-a', captured[0] as string);
    // Re-dated by an attacker without the secret: the signature no longer matches.
    await publisher.publish('handset:node:node-a', JSON.stringify({ ...frame, t: frame.t + 1 }));
    await eventually(() => nodeA.logs.filter((e) => e.event === 'cluster-bad-frame').length === 2);
    expect(nodeA.logs.filter((e) => e.event === 'cluster-bad-frame').map((e) => e.code)).toEqual([
      'cluster-frame-replayed',
      'cluster-bad-signature',
    ]);
    await settle(bob);
    expect(bob.frames.filter((f) => f.includes(honest.id))).toHaveLength(1);
  });

  it('drops a frame sealed too long ago, and a sealed frame whose envelope core refuses', async () => {
    const redis = await redisWith();
    const nodeA = await node({ redis: { url: redis.url }, nodeId: 'node-a' });
    const bob = await login(nodeA, 'bob');
    const publisher = new Redis(redis.url);
    cleanups.push(() => publisher.disconnect());
    // An insider's frames (sealed with the cluster's secret): one from a clock a minute behind...
    const late = createClusterFrames(SECRET, 'node-b', 30_000, () => Date.now() - 60_000);
    const stale = ringing('alice', 'bob');
    await publisher.publish('handset:node:node-a', late.seal(stale));
    // ...and one whose envelope is not one.
    const sealer = createClusterFrames(SECRET, 'node-b', 30_000);
    const bogus = { ...ringing('alice', 'bob'), type: 'bogus' } as unknown as Envelope;
    await publisher.publish('handset:node:node-a', sealer.seal(bogus));
    await eventually(() => nodeA.logs.filter((e) => e.event === 'cluster-bad-frame').length === 2);
    expect(nodeA.logs.filter((e) => e.event === 'cluster-bad-frame').map((e) => e.code)).toEqual([
      'cluster-frame-stale',
      'cluster-bad-envelope',
    ]);
    await settle(bob);
    expect(bob.frames.some((f) => f.includes(stale.id) || f.includes(bogus.id))).toBe(false);
  });
});

describe('call bindings read from Redis are checked too', () => {
  it('refuses a sender whose membership was forged by a SET straight into Redis', async () => {
    const redis = await redisWith();
    const nodeA = await node({ redis: { url: redis.url }, nodeId: 'node-a' });
    const [alice, mallory] = [await login(nodeA, 'alice'), await login(nodeA, 'mallory')];
    const attacker = new Redis(redis.url);
    cleanups.push(() => attacker.disconnect());
    const callId = nanoid();
    await attacker.set(`handset:call:${callId}`, 'alice mallory');
    const intrusion = ringing('mallory', 'alice', callId);
    mallory.send(encodeEnvelope(intrusion));
    expect(await mallory.next(isKind('error'))).toMatchObject({ code: 'not-in-call', ref: intrusion.id });
    await settle(alice);
    expect(alice.frames.some((f) => f.includes(intrusion.id))).toBe(false);
    expect(nodeA.logs.find((e) => e.event === 'cluster-bad-call-record')).toMatchObject({ callId });
  });

  it('still binds and shares honest calls across nodes', async () => {
    const redis = await redisWith();
    const nodeA = await node({ redis: { url: redis.url }, nodeId: 'node-a' });
    const nodeB = await node({ redis: { url: redis.url }, nodeId: 'node-b' });
    const [alice, bob, mallory] = [
      await login(nodeA, 'alice'),
      await login(nodeB, 'bob'),
      await login(nodeB, 'mallory'),
    ];
    const call = ringing('alice', 'bob');
    alice.send(encodeEnvelope(call));
    await bob.next((f) => f.id === call.id);
    const back = ringing('bob', 'alice', call.callId);
    bob.send(encodeEnvelope(back));
    await alice.next((f) => f.id === back.id);
    const intrusion = ringing('mallory', 'bob', call.callId);
    mallory.send(encodeEnvelope(intrusion));
    expect(await mallory.next(isKind('error'))).toMatchObject({ code: 'not-in-call' });
  });
});

describe('the public /health', () => {
  it('shows counts and status, and no node id', async () => {
    const redis = await redisWith();
    const server = await node({ redis: { url: redis.url }, nodeId: 'node-secret-name' });
    const response = await fetch(`${server.httpUrl}/health`);
    const body = await response.text();
    expect(JSON.parse(body)).toMatchObject({ status: 'ok', cluster: 'connected', sessions: 0 });
    expect(body).not.toContain('node-secret-name');
    expect(JSON.stringify(server.health())).not.toContain('node-secret-name');
    // The logs still name the node, for the operator.
    expect(server.logs.some((e) => JSON.stringify(e).includes('node-secret-name'))).toBe(true);
  });
});

describe('Redis with credentials', () => {
  it('works with a password (requirepass) when given one', async () => {
    const redis = await redisWith({ args: (port) => ['--port', String(port), '--requirepass', PASSWORD] });
    const nodeA = await node({ redis: { url: redis.url, password: PASSWORD }, nodeId: 'node-a' });
    const nodeB = await node({ redis: { url: redis.url, password: PASSWORD }, nodeId: 'node-b' });
    expect(nodeA.health().cluster).toBe('connected');
    const [alice, bob] = [await login(nodeA, 'alice'), await login(nodeB, 'bob')];
    const call = ringing('alice', 'bob');
    alice.send(encodeEnvelope(call));
    await bob.next((f) => f.id === call.id);
  });

  it('fails at start with cluster-unavailable without the password, and leaves no client behind', async () => {
    const redis = await redisWith({ args: (port) => ['--port', String(port), '--requirepass', PASSWORD] });
    const admin = new Redis(redis.url, { password: PASSWORD });
    cleanups.push(() => admin.disconnect());
    for (const redisOptions of [{ url: redis.url }, { url: redis.url, password: 'wrong-password-0123' }]) {
      const started = startSignalServer({ secret: SECRET, redis: redisOptions });
      await expect(started).rejects.toBeInstanceOf(SignalingError);
      await expect(started).rejects.toMatchObject({
        reason: 'cluster-unavailable',
        message: expect.stringMatching(/NOAUTH|WRONGPASS|auth/i),
      });
      await expect(started).rejects.not.toMatchObject({ message: expect.stringContaining(PASSWORD) });
    }
    await eventually(async () => (await otherClients(admin)) === 0);
  });

  it('works with an ACL user (username + password) limited to its own keys and channels', async () => {
    const redis = await redisWith({
      args: (port) => [
        '--port',
        String(port),
        '--user',
        'default',
        'off',
        '--user',
        'handset',
        'on',
        `>${PASSWORD}`,
        '~handset:*',
        '&handset:*',
        '+@all',
      ],
    });
    const credentials = { url: redis.url, username: 'handset', password: PASSWORD };
    const nodeA = await node({ redis: credentials, nodeId: 'node-a' });
    const nodeB = await node({ redis: credentials, nodeId: 'node-b' });
    const [alice, bob] = [await login(nodeA, 'alice'), await login(nodeB, 'bob')];
    const call = ringing('alice', 'bob');
    alice.send(encodeEnvelope(call));
    await bob.next((f) => f.id === call.id);
    await expect(startSignalServer({ secret: SECRET, redis: { url: redis.url } })).rejects.toMatchObject({
      reason: 'cluster-unavailable',
    });
  });
});

describe('a Redis that hangs (answers nothing)', () => {
  it('refuses a new login within its command timeout and keeps relaying between users of this node', async () => {
    const redis = await redisWith();
    const proxy = await startTcpProxy(redis.port);
    cleanups.push(() => proxy.close());
    const server = await node({
      redis: { url: `redis://127.0.0.1:${new URL(proxy.url).port}`, commandTimeoutMs: 500 },
      nodeId: 'node-a',
    });
    const [alice, bob] = [await login(server, 'alice'), await login(server, 'bob')];
    proxy.freeze();
    const carol = await rawClient(server);
    cleanups.push(() => carol.socket.terminate());
    carol.send(JSON.stringify({ kind: 'hello', token: server.issueToken('carol') }));
    expect(await carol.next(isKind('error'), 5_000)).toMatchObject({ code: 'cluster-unavailable' });
    expect((await carol.closed).code).toBe(1013);
    // Each new call asks Redis, which does not answer: after the timeout the node binds it locally.
    const calls = [ringing('alice', 'bob'), ringing('alice', 'bob')];
    for (const call of calls) alice.send(encodeEnvelope(call));
    for (const call of calls) await bob.next((f) => f.id === call.id, 8_000);
    expect(server.health()).toMatchObject({ sessions: 2, users: 2 });
  }, 30_000);
});

describe('Redis refusing a write at login', () => {
  it('refuses the login with cluster-unavailable and 1013, leaving no session behind', async () => {
    // An ACL user that may read and subscribe but not add to a set: presence cannot be written.
    const redis = await redisWith({
      args: (port) => [
        '--port',
        String(port),
        '--user',
        'default',
        'off',
        '--user',
        'handset',
        'on',
        `>${PASSWORD}`,
        '~handset:*',
        '&handset:*',
        '+@all',
        '-sadd',
      ],
    });
    const server = await node({
      redis: { url: redis.url, username: 'handset', password: PASSWORD },
      nodeId: 'node-a',
    });
    const alice = await rawClient(server);
    cleanups.push(() => alice.socket.terminate());
    alice.send(JSON.stringify({ kind: 'hello', token: server.issueToken('alice') }));
    expect(await alice.next(isKind('error'), 3_000)).toMatchObject({ code: 'cluster-unavailable' });
    expect((await alice.closed).code).toBe(1013);
    await eventually(() => server.health().connections === 0);
    expect(server.health()).toMatchObject({ sessions: 0, users: 0 });
  });
});

describe('Redis over TLS', () => {
  let dir: string;
  let cert: Buffer;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'handset-redis-tls-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    cert = readFileSync(join(dir, 'cert.pem'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const tlsRedis = () =>
    redisWith({
      scheme: 'rediss',
      args: (port) => [
        '--port',
        '0',
        '--tls-port',
        String(port),
        '--tls-cert-file',
        join(dir, 'cert.pem'),
        '--tls-key-file',
        join(dir, 'key.pem'),
        '--tls-ca-cert-file',
        join(dir, 'cert.pem'),
        '--tls-auth-clients',
        'no',
      ],
    });

  it('routes between two nodes through a rediss:// URL with the CA given in `tls`', async () => {
    const redis = await tlsRedis();
    const nodeA = await node({ redis: { url: redis.url, tls: { ca: cert } }, nodeId: 'node-a' });
    const nodeB = await node({ redis: { url: redis.url, tls: { ca: cert } }, nodeId: 'node-b' });
    const [alice, bob] = [await login(nodeA, 'alice'), await login(nodeB, 'bob')];
    const call = ringing('alice', 'bob');
    alice.send(encodeEnvelope(call));
    await bob.next((f) => f.id === call.id);
  });

  it('fails at start with cluster-unavailable when the certificate is not trusted', async () => {
    const redis = await tlsRedis();
    await expect(startSignalServer({ secret: SECRET, redis: { url: redis.url } })).rejects.toMatchObject({
      reason: 'cluster-unavailable',
    });
  });
});

describe('a Redis outage', () => {
  it('refuses a new login at once with cluster-unavailable and 1013, leaving nothing behind; logins work again after', async () => {
    let redis = await startRedis();
    cleanups.push(() => redis.stop());
    const server = await node({ redis: { url: redis.url }, nodeId: 'node-a' });
    const alice = await login(server, 'alice');
    await redis.stop();
    await eventually(() => server.health().cluster === 'down');
    const started = Date.now();
    const bob = await rawClient(server);
    cleanups.push(() => bob.socket.terminate());
    bob.send(JSON.stringify({ kind: 'hello', token: server.issueToken('bob') }));
    expect(await bob.next(isKind('error'), 3_000)).toMatchObject({ code: 'cluster-unavailable' });
    expect((await bob.closed).code).toBe(1013);
    // "At once": well before the ~8 s the login used to hang; a generous bound for a loaded machine.
    expect(Date.now() - started).toBeLessThan(3_000);
    await eventually(() => server.health().connections === 1 && server.health().sessions === 1);
    expect(server.health().users).toBe(1);
    // Alice, logged in before the outage, still talks to the server.
    await settle(alice);
    redis = await startRedis({ port: redis.port });
    await eventually(() => server.health().cluster === 'connected', 20_000);
    const back = await login(server, 'bob');
    expect(back.frames.some((f) => f.includes('"welcome"'))).toBe(true);
  }, 40_000);
});
