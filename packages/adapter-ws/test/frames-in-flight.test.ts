// A connection's frames are handled in order, one after another; when handling stalls (Redis hangs),
// the server keeps at most `maxFramesInFlight` of them waiting and drops the rest with one error frame.
import { encodeEnvelope } from '@handset/core';
import { afterEach, expect, it } from 'vitest';
import type { SignalServer } from '../src/server/index.js';
import { isKind, type RawClient, rawClient, ringing, startTestServer } from './support/harness.js';
import { startRedis, type TestRedis } from './support/redis.js';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.js';

let server: SignalServer | null = null;
let redis: TestRedis | null = null;
let proxy: TcpProxy | null = null;
const clients: RawClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.socket.terminate();
  // Cut Redis off first: the hung commands then fail instead of holding the server's shutdown.
  await proxy?.close();
  await server?.close({ drainMs: 100 });
  await redis?.stop();
  server = null;
  proxy = null;
  redis = null;
});

it('keeps at most maxFramesInFlight frames of one connection waiting while Redis hangs', async () => {
  redis = await startRedis();
  // The server reaches Redis through a proxy the test can freeze: commands then hang, unanswered.
  proxy = await startTcpProxy(redis.port);
  const maxFramesInFlight = 16;
  server = await startTestServer({
    redis: { url: `redis://127.0.0.1:${new URL(proxy.url).port}` },
    limits: { maxFramesInFlight, pairInvitesPerMinute: 1e9, pairInviteBurst: 1e9 },
  });
  const bob = await rawClient(server, { token: server.issueToken('bob') });
  const alice = await rawClient(server, { token: server.issueToken('alice') });
  clients.push(alice, bob);
  proxy.freeze();
  // Each envelope binds a new call, which asks Redis: every one of them waits.
  for (let i = 0; i < 100; i += 1) alice.send(encodeEnvelope(ringing('alice', 'bob')));
  const error = await alice.next(isKind('error'), 5_000);
  expect(error).toMatchObject({ code: 'rate-limited' });
  // One error frame for the whole episode, not one per dropped frame.
  await new Promise((resolve) => setTimeout(resolve, 200));
  expect(alice.frames.filter((f) => JSON.parse(f).kind === 'error')).toHaveLength(1);
  expect(alice.socket.readyState).toBe(alice.socket.OPEN);
});

it('handles a burst far larger than maxFramesInFlight when nothing stalls: frames do not pile up', async () => {
  server = await startTestServer({
    limits: {
      maxFramesInFlight: 16,
      messagesPerSecond: 1e6,
      messageBurst: 1e6,
      userMessagesPerSecond: 1e6,
      userMessageBurst: 1e6,
      addressMessagesPerSecond: 1e6,
      addressMessageBurst: 1e6,
    },
  });
  const alice = await rawClient(server, { token: server.issueToken('alice') });
  clients.push(alice);
  // 500 pings written in one go arrive in a few TCP chunks; each is handled before the next is read.
  for (let t = 0; t < 500; t += 1) alice.send(JSON.stringify({ kind: 'ping', t }));
  await alice.next((f) => f.kind === 'pong' && f.t === 499);
  const pongs = alice.frames.filter((f) => JSON.parse(f).kind === 'pong');
  expect(pongs).toHaveLength(500);
});
