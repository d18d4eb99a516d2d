// A link lives no longer than its token: at expiry the server closes it with 4003 and a token-expired
// error frame, relays nothing sent after expiry, and a fresh token resumes the same session.
import { encodeEnvelope } from '@handset/core';
import { afterEach, expect, it } from 'vitest';
import { createToken, type SignalServer } from '../src/server/index.js';
import { isKind, type RawClient, rawClient, ringing, SECRET, startTestServer } from './support/harness.js';

let server: SignalServer;
const clients: RawClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.socket.terminate();
  await server?.close({ drainMs: 100 });
});

async function login(token: string): Promise<RawClient> {
  const client = await rawClient(server);
  clients.push(client);
  client.send(JSON.stringify({ kind: 'hello', token }));
  await client.next(isKind('welcome'));
  return client;
}

it('closes a link with 4003 and token-expired when its token expires, and relays nothing sent after', async () => {
  server = await startTestServer();
  const bob = await login(server.issueToken('bob'));
  const now = Date.now();
  const token = createToken('alice', SECRET, 2, now);
  const expiresAt = (Math.floor(now / 1000) + 2) * 1000;
  const alice = await login(token);
  const welcome = await alice.next(isKind('welcome'));

  const before = ringing('alice', 'bob');
  alice.send(encodeEnvelope(before));
  expect(await bob.next((f) => f.id === before.id)).toMatchObject({ from: 'alice' });

  // Sent just after expiry; the loop is held across the instant so the expiry timer cannot run first.
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresAt - Date.now() - 30)));
  while (Date.now() < expiresAt + 20) {
    // busy-wait across the expiry instant
  }
  const late = ringing('alice', 'bob');
  alice.send(encodeEnvelope(late));
  expect(await alice.next(isKind('error'), 5_000)).toMatchObject({ code: 'token-expired' });
  expect((await alice.closed).code).toBe(4003);
  const t = Math.random();
  bob.send(JSON.stringify({ kind: 'ping', t }));
  await bob.next((f) => f.kind === 'pong' && f.t === t);
  expect(bob.frames.some((f) => f.includes(late.id))).toBe(false);

  // The client's way back: a fresh token resumes the same session.
  const again = await rawClient(server);
  clients.push(again);
  again.send(
    JSON.stringify({ kind: 'hello', token: server.issueToken('alice'), sessionId: welcome.sessionId }),
  );
  expect(await again.next(isKind('welcome'))).toMatchObject({ sessionId: welcome.sessionId, resumed: true });
});
