// Busy reflection (issue 9): a third party flooding a user in a call with invites must not be able to
// spend that user's own budget (each invite answered `busy` is a frame the user sends). The server
// limits inbound invites per sender→recipient pair; the excess is refused to the sender and never
// reaches the recipient.
import { createEnvelope, type Envelope, encodeEnvelope } from '@handset/core';
import { nanoid } from 'nanoid';
import { afterEach, describe, expect, it } from 'vitest';
import type { SignalServer, SignalServerLimits } from '../src/server/index.js';
import { isKind, type RawClient, rawClient, ringing, startTestServer, waitFor } from './support/harness.js';
import { allOpen, connectCall, createWeriftPhones, reach } from './support/werift-phones.js';

let server: SignalServer & { logs: { event: string }[] };
const clients: RawClient[] = [];
const phones = createWeriftPhones();
afterEach(async () => {
  await phones.closeAll();
  for (const client of clients.splice(0)) client.socket.terminate();
  await server?.close({ drainMs: 100 });
});

/** Tight per-connection limits, so a reflected flood would exhaust the victim's budget within seconds. */
const TIGHT: Partial<SignalServerLimits> = {
  messagesPerSecond: 20,
  messageBurst: 40,
  rateViolationsBeforeClose: 20,
};
const FLOOD_MS = 5_000;
/** Per Mallory connection: inside the 20/s limit, so Mallory's own links stay open. */
const FLOOD_PER_SECOND = 18;

async function login(userId: string): Promise<RawClient> {
  const client = await rawClient(server, { token: server.issueToken(userId) });
  clients.push(client);
  return client;
}

function invite(from: string, fromDevice: string, to: string): Envelope {
  return createEnvelope(
    {
      type: 'invite',
      callId: nanoid(),
      from,
      fromDevice,
      to,
      sdp: 'v=0\r\n',
      media: { audio: true, video: false },
      lifetimeMs: 30_000,
    },
    nanoid(),
  );
}

const received = (client: RawClient) =>
  client.frames.map((f) => JSON.parse(f) as Record<string, unknown>).filter((f) => f.v === 1);
const errors = (client: RawClient, code: string) =>
  client.frames.map((f) => JSON.parse(f) as Record<string, unknown>).filter((f) => f.code === code);

async function settle(client: RawClient): Promise<void> {
  const t = Math.random();
  client.send(JSON.stringify({ kind: 'ping', t }));
  await client.next((f) => f.kind === 'pong' && f.t === t);
}

/** Mallory's two connections send invites to `to` at FLOOD_PER_SECOND each for FLOOD_MS. */
async function flood(to: string): Promise<RawClient[]> {
  const mallory = [await login('mallory'), await login('mallory')];
  const deadline = Date.now() + FLOOD_MS;
  while (Date.now() < deadline) {
    mallory.forEach((client, i) => {
      client.send(encodeEnvelope(invite('mallory', `mallory-${i}`, to)));
    });
    await new Promise((resolve) => setTimeout(resolve, 1000 / FLOOD_PER_SECOND));
  }
  return mallory;
}

describe('invites per sender→recipient pair', () => {
  it('refuses invites past the pair budget with rate-limited; they never reach the recipient', async () => {
    server = await startTestServer({ limits: { pairInviteBurst: 3, pairInvitesPerMinute: 6 } });
    const [alice, mallory] = [await login('alice'), await login('mallory')];
    const sent = Array.from({ length: 6 }, () => invite('mallory', 'mallory-phone', 'alice'));
    for (const envelope of sent) mallory.send(encodeEnvelope(envelope));
    await settle(mallory);
    await settle(alice);
    expect(received(alice).map((e) => e.id)).toEqual(sent.slice(0, 3).map((e) => e.id));
    expect(errors(mallory, 'rate-limited').map((e) => e.ref)).toEqual(sent.slice(3).map((e) => e.id));
  });

  it('counts each pair apart: another sender, and the same sender to another user, still get through', async () => {
    server = await startTestServer({ limits: { pairInviteBurst: 1, pairInvitesPerMinute: 1 } });
    const [alice, bob, carol, mallory] = await Promise.all(['alice', 'bob', 'carol', 'mallory'].map(login));
    mallory.send(encodeEnvelope(invite('mallory', 'm', 'alice')));
    mallory.send(encodeEnvelope(invite('mallory', 'm', 'alice')));
    expect(await mallory.next(isKind('error'))).toMatchObject({ code: 'rate-limited' });
    const fromCarol = invite('carol', 'c', 'alice');
    carol.send(encodeEnvelope(fromCarol));
    await alice.next((f) => f.id === fromCarol.id);
    const toBob = invite('mallory', 'm', 'bob');
    mallory.send(encodeEnvelope(toBob));
    await bob.next((f) => f.id === toBob.id);
  });

  it('does not limit the other messages of a call (ringing, candidates, hangup...)', async () => {
    server = await startTestServer({ limits: { pairInviteBurst: 1, pairInvitesPerMinute: 1 } });
    const [alice, bob] = [await login('alice'), await login('bob')];
    const call = invite('alice', 'alice-device', 'bob');
    alice.send(encodeEnvelope(call));
    const rings = Array.from({ length: 5 }, () => ringing('alice', 'bob', call.callId));
    for (const envelope of rings) alice.send(encodeEnvelope(envelope));
    await bob.next((f) => f.id === rings[4]?.id);
    expect(errors(alice, 'rate-limited')).toEqual([]);
  });
});

describe('a flood of invites to a user in a call (busy reflection)', () => {
  it("never closes the victim's link nor loses her hang-up, even if she answers every invite busy", async () => {
    server = await startTestServer({ limits: TIGHT });
    const [alice, bob] = [await login('alice'), await login('bob')];
    const call = invite('alice', 'alice-phone', 'bob');
    alice.send(encodeEnvelope(call));
    await bob.next((f) => f.id === call.id);
    // A client with no bound of its own: every invite that reaches it is answered `busy`.
    alice.socket.on('message', (data) => {
      const frame = JSON.parse(String(data)) as Record<string, unknown>;
      if (frame.type !== 'invite') return;
      const busy = createEnvelope(
        {
          type: 'reject',
          callId: String(frame.callId),
          from: 'alice',
          fromDevice: 'alice-phone',
          to: String(frame.from),
          reason: 'busy',
        },
        nanoid(),
      );
      alice.send(encodeEnvelope(busy));
    });
    const mallory = await flood('alice');
    const bye = createEnvelope(
      {
        type: 'hangup',
        callId: call.callId,
        from: 'alice',
        fromDevice: 'alice-phone',
        to: 'bob',
        reason: 'normal',
      },
      nanoid(),
    );
    alice.send(encodeEnvelope(bye));
    expect(await bob.next((f) => f.id === bye.id)).toMatchObject({ type: 'hangup', from: 'alice' });
    await settle(alice);
    expect(errors(alice, 'rate-limited')).toEqual([]);
    expect(alice.socket.readyState).toBe(alice.socket.OPEN);
    // Mallory heard why her invites went nowhere (and, persisting, may be cut off for bad frames).
    expect(mallory.flatMap((m) => errors(m, 'rate-limited')).length).toBeGreaterThan(0);
  }, 30_000);

  it("lets werift Alice hang up on Bob mid-flood: Bob ends hangup, Alice's link never drops", async () => {
    server = await startTestServer({ limits: TIGHT });
    const alice = phones.on(server.url, 'alice');
    const bob = phones.on(server.url, 'bob');
    await allOpen(alice, bob);
    await connectCall(alice.phone, bob.phone);
    const aliceStatuses: string[] = [];
    alice.transport.status$.subscribe((s) => aliceStatuses.push(s));
    await flood('alice');
    const bobEnded = reach(bob.phone, 'ended');
    alice.phone.hangupCall();
    expect((await bobEnded).endReason).toEqual({ code: 'hangup', by: 'remote' });
    await waitFor(alice.transport.status$, (s) => s === 'open');
    expect(aliceStatuses.filter((s) => s !== 'open')).toEqual([]);
  }, 60_000);
});
