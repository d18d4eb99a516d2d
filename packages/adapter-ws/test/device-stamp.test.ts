// The server binds each session to one device id (its first envelope's `fromDevice`) and keeps the
// ids that mark its own and the network's answers (`server`, `broker`, `network`) for itself.
import { createEnvelope, encodeEnvelope } from '@handset/core';
import { nanoid } from 'nanoid';
import { afterEach, describe, expect, it } from 'vitest';
import type { SignalServer } from '../src/server/index.js';
import { isKind, type RawClient, rawClient, startTestServer } from './support/harness.js';

let server: SignalServer;
const clients: RawClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.socket.terminate();
  await server?.close({ drainMs: 100 });
});

async function login(userId: string, sessionId?: string): Promise<RawClient> {
  const client = await rawClient(server, {
    token: server.issueToken(userId),
    ...(sessionId ? { sessionId } : {}),
  });
  clients.push(client);
  return client;
}

function ringingFrom(fromDevice: string, callId = nanoid()) {
  return createEnvelope({ type: 'ringing', callId, from: 'alice', fromDevice, to: 'bob' }, nanoid());
}

/** Round-trips a ping: everything the server did for earlier frames is done by then. */
async function settle(client: RawClient): Promise<void> {
  const t = Math.random();
  client.send(JSON.stringify({ kind: 'ping', t }));
  await client.next((f) => f.kind === 'pong' && f.t === t);
}

describe('fromDevice is stamped by the server', () => {
  it.each(['server', 'broker', 'network'])(
    'refuses an envelope claiming the reserved device id %s with reserved-device, delivering nothing',
    async (reserved) => {
      server = await startTestServer();
      const [alice, bob] = [await login('alice'), await login('bob')];
      const forged = ringingFrom(reserved);
      alice.send(encodeEnvelope(forged));
      expect(await alice.next(isKind('error'))).toMatchObject({ code: 'reserved-device', ref: forged.id });
      // The forged frame never reaches Bob; an honest one sent after it does, so the link goes on.
      const honest = ringingFrom('alice-phone');
      alice.send(encodeEnvelope(honest));
      expect(await bob.next((f) => f.id === honest.id)).toMatchObject({ fromDevice: 'alice-phone' });
      expect(bob.frames.some((f) => f.includes(forged.id))).toBe(false);
    },
  );

  it('binds a session to its first device id and refuses another one with device-mismatch', async () => {
    server = await startTestServer();
    const [alice, bob] = [await login('alice'), await login('bob')];
    const first = ringingFrom('alice-phone');
    alice.send(encodeEnvelope(first));
    await bob.next((f) => f.id === first.id);
    const other = ringingFrom('alice-laptop', first.callId);
    alice.send(encodeEnvelope(other));
    expect(await alice.next(isKind('error'))).toMatchObject({ code: 'device-mismatch', ref: other.id });
    await settle(alice);
    await settle(bob);
    expect(bob.frames.some((f) => f.includes(other.id))).toBe(false);
  });

  it('keeps the binding when the session resumes on a new connection', async () => {
    server = await startTestServer();
    const bob = await login('bob');
    const alice = await rawClient(server);
    clients.push(alice);
    alice.send(JSON.stringify({ kind: 'hello', token: server.issueToken('alice') }));
    const { sessionId } = await alice.next(isKind('welcome'));
    const first = ringingFrom('alice-phone');
    alice.send(encodeEnvelope(first));
    await bob.next((f) => f.id === first.id);
    const resumed = await login('alice', String(sessionId));
    const other = ringingFrom('alice-laptop', first.callId);
    resumed.send(encodeEnvelope(other));
    expect(await resumed.next(isKind('error'))).toMatchObject({ code: 'device-mismatch', ref: other.id });
  });

  it("lets one user's two devices, each on its own session, use their own ids side by side", async () => {
    server = await startTestServer();
    const [phone, laptop, bob] = [await login('alice'), await login('alice'), await login('bob')];
    const fromPhone = ringingFrom('alice-phone');
    const fromLaptop = ringingFrom('alice-laptop');
    phone.send(encodeEnvelope(fromPhone));
    laptop.send(encodeEnvelope(fromLaptop));
    expect(await bob.next((f) => f.id === fromPhone.id)).toMatchObject({ fromDevice: 'alice-phone' });
    expect(await bob.next((f) => f.id === fromLaptop.id)).toMatchObject({ fromDevice: 'alice-laptop' });
  });
});
