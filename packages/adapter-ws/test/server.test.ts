// The signaling server at the wire level: what each kind of client, well-behaved or not, gets back.
import { createEnvelope, encodeEnvelope } from '@handset/core';
import { nanoid } from 'nanoid';
import { afterEach, describe, expect, it } from 'vitest';
import { createToken, type SignalServer, startSignalServer } from '../src/server/index.js';
import { isKind, type RawClient, rawClient, ringing, SECRET, startTestServer } from './support/harness.js';

let server: SignalServer & { logs: { event: string }[] };
const clients: RawClient[] = [];

async function start(options: Parameters<typeof startTestServer>[0] = {}) {
  server = await startTestServer(options);
  return server;
}

async function login(
  userId: string,
  extra: { sessionId?: string; received?: number } = {},
): Promise<RawClient> {
  const client = await rawClient(server);
  clients.push(client);
  client.send(JSON.stringify({ kind: 'hello', token: server.issueToken(userId), ...extra }));
  await client.next(isKind('welcome'));
  return client;
}

async function anonymous(): Promise<RawClient> {
  const client = await rawClient(server);
  clients.push(client);
  return client;
}

/** Round-trips a ping: everything the server did for earlier frames is done by then. */
async function settle(client: RawClient): Promise<void> {
  const t = Math.random();
  client.send(JSON.stringify({ kind: 'ping', t }));
  await client.next((f) => f.kind === 'pong' && f.t === t);
}

function envelopes(client: RawClient): Record<string, unknown>[] {
  return client.frames.map((f) => JSON.parse(f) as Record<string, unknown>).filter((f) => f.v === 1);
}

afterEach(async () => {
  for (const client of clients.splice(0)) client.socket.terminate();
  await server?.close({ drainMs: 100 });
});

describe('authentication', () => {
  it('welcomes a valid token with the user id it binds and a session id', async () => {
    await start();
    const client = await anonymous();
    client.send(JSON.stringify({ kind: 'hello', token: server.issueToken('alice') }));
    const welcome = await client.next(isKind('welcome'));
    expect(welcome).toMatchObject({ kind: 'welcome', userId: 'alice', resumed: false });
    expect(typeof welcome.sessionId).toBe('string');
  });

  it.each([
    [
      'signed with another secret',
      'token-bad-signature',
      () => createToken('alice', 'some-other-secret-0123456789', 60),
    ],
    ['expired', 'token-expired', () => createToken('alice', SECRET, 1, Date.now() - 60_000)],
    ['malformed', 'token-malformed', () => 'not-a-token'],
    [
      'whose header asks for "alg": "none"',
      'token-wrong-algorithm',
      () => {
        const [, claims] = createToken('alice', SECRET, 60).split('.');
        return `${Buffer.from('{"alg":"none"}').toString('base64url')}.${claims}.AAAA`;
      },
    ],
  ])('refuses a token %s with %s and close 4001', async (_label, code, token) => {
    await start();
    const client = await anonymous();
    client.send(JSON.stringify({ kind: 'hello', token: token() }));
    expect(await client.next(isKind('error'))).toMatchObject({ code });
    expect((await client.closed).code).toBe(4001);
  });

  it('refuses a first frame that is not a hello with handshake-required and 1008', async () => {
    await start();
    const client = await anonymous();
    client.send(encodeEnvelope(ringing('alice', 'bob')));
    expect(await client.next(isKind('error'))).toMatchObject({ code: 'handshake-required' });
    expect((await client.closed).code).toBe(1008);
  });

  it('closes a connection that never says hello with handshake-timeout and 1008', async () => {
    await start({ limits: { handshakeTimeoutMs: 200 } });
    const client = await anonymous();
    expect(await client.next(isKind('error'))).toMatchObject({ code: 'handshake-timeout' });
    expect((await client.closed).code).toBe(1008);
  });

  it('refuses to start without a secret outside dev mode', async () => {
    await expect(startSignalServer({})).rejects.toMatchObject({ code: 'invalid-argument' });
    await start();
  });
});

describe('identity and call membership', () => {
  it('stamps the authenticated sender over a spoofed `from` and drops a client-set ageMs', async () => {
    await start();
    const [mallory, bob] = [await login('mallory'), await login('bob')];
    mallory.send(encodeEnvelope({ ...ringing('alice', 'bob'), ageMs: 9_999_999 }));
    const received = await bob.next((f) => f.type === 'ringing');
    expect(received.from).toBe('mallory');
    expect(received.ageMs).toBeUndefined();
  });

  it('refuses a message for a call the sender is not part of with not-in-call', async () => {
    await start();
    const [alice, bob, mallory] = [await login('alice'), await login('bob'), await login('mallory')];
    const call = ringing('alice', 'bob');
    alice.send(encodeEnvelope(call));
    await bob.next((f) => f.id === call.id);
    const hijack = createEnvelope(
      { type: 'hangup', callId: call.callId, from: 'mallory', fromDevice: 'm', to: 'bob', reason: 'normal' },
      nanoid(),
    );
    mallory.send(encodeEnvelope(hijack));
    expect(await mallory.next(isKind('error'))).toMatchObject({ code: 'not-in-call', ref: hijack.id });
    await settle(bob);
    expect(envelopes(bob).map((e) => e.id)).toEqual([call.id]);
  });

  it('refuses a call member addressing a third user under the same call id', async () => {
    await start();
    const [alice, bob, carol] = [await login('alice'), await login('bob'), await login('carol')];
    const call = ringing('alice', 'bob');
    alice.send(encodeEnvelope(call));
    await bob.next((f) => f.id === call.id);
    alice.send(encodeEnvelope(ringing('alice', 'carol', call.callId)));
    expect(await alice.next(isKind('error'))).toMatchObject({ code: 'not-in-call' });
    await settle(carol);
    expect(envelopes(carol)).toEqual([]);
  });

  it('lets both members of a call speak in it, in both directions', async () => {
    await start();
    const [alice, bob] = [await login('alice'), await login('bob')];
    const call = ringing('alice', 'bob');
    alice.send(encodeEnvelope(call));
    await bob.next((f) => f.id === call.id);
    const back = createEnvelope(
      { type: 'hangup', callId: call.callId, from: 'bob', fromDevice: 'b', to: 'alice', reason: 'normal' },
      nanoid(),
    );
    bob.send(encodeEnvelope(back));
    expect(await alice.next((f) => f.id === back.id)).toMatchObject({ type: 'hangup', from: 'bob' });
  });
});

describe('routing', () => {
  it('answers an envelope to an offline user at once with unavailable from the server', async () => {
    await start();
    const alice = await login('alice');
    const call = ringing('alice', 'nobody');
    alice.send(encodeEnvelope(call));
    expect(await alice.next((f) => f.type === 'unavailable')).toMatchObject({
      callId: call.callId,
      from: 'nobody',
      fromDevice: 'server',
      to: 'alice',
    });
  });

  it('never answers an unavailable with an unavailable', async () => {
    await start();
    const alice = await login('alice');
    alice.send(
      encodeEnvelope(
        createEnvelope(
          { type: 'unavailable', callId: nanoid(), from: 'alice', fromDevice: 'a', to: 'nobody' },
          nanoid(),
        ),
      ),
    );
    await settle(alice);
    expect(envelopes(alice)).toEqual([]);
  });

  it('delivers to every device; an answer from one device and answer-selected reach the right users', async () => {
    await start();
    const [alice, bobPhone, bobLaptop] = [await login('alice'), await login('bob'), await login('bob')];
    const invite = ringing('alice', 'bob');
    alice.send(encodeEnvelope(invite));
    await Promise.all([bobPhone.next((f) => f.id === invite.id), bobLaptop.next((f) => f.id === invite.id)]);
    const answer = createEnvelope(
      { type: 'answer', callId: invite.callId, from: 'bob', fromDevice: 'laptop', to: 'alice', sdp: 'v=0' },
      nanoid(),
    );
    bobLaptop.send(encodeEnvelope(answer));
    expect(await alice.next((f) => f.id === answer.id)).toMatchObject({ fromDevice: 'laptop' });
    const selected = createEnvelope(
      {
        type: 'answer-selected',
        callId: invite.callId,
        from: 'alice',
        fromDevice: 'alice-device',
        to: 'bob',
        selectedDevice: 'laptop',
      },
      nanoid(),
    );
    alice.send(encodeEnvelope(selected));
    await Promise.all([
      bobPhone.next((f) => f.id === selected.id),
      bobLaptop.next((f) => f.id === selected.id),
    ]);
    expect(envelopes(bobPhone).map((e) => e.type)).toEqual(['ringing', 'answer-selected']);
  });

  it('relays an envelope id only once per session (a resend after reconnect is not a duplicate)', async () => {
    await start();
    const [alice, bob] = [await login('alice'), await login('bob')];
    const call = ringing('alice', 'bob');
    alice.send(encodeEnvelope(call));
    alice.send(encodeEnvelope(call));
    await settle(alice);
    await settle(bob);
    expect(envelopes(bob).map((e) => e.id)).toEqual([call.id]);
  });
});

describe('session resume', () => {
  it('holds envelopes for a dropped session and delivers them in order, with ageMs, on resume', async () => {
    await start({ limits: { sessionGraceMs: 30_000 } });
    const alice = await anonymous();
    alice.send(JSON.stringify({ kind: 'hello', token: server.issueToken('alice') }));
    const { sessionId } = await alice.next(isKind('welcome'));
    alice.socket.terminate();
    await alice.closed;
    const bob = await login('bob');
    const first = ringing('bob', 'alice');
    const second = ringing('bob', 'alice');
    bob.send(encodeEnvelope(first));
    bob.send(encodeEnvelope(second));
    await settle(bob);
    expect(envelopes(bob)).toEqual([]);
    const back = await login('alice', { sessionId: sessionId as string, received: 0 });
    expect(back.frames.map((f) => JSON.parse(f).kind)[0]).toBe('welcome');
    const [a, b] = [await back.next((f) => f.id === first.id), await back.next((f) => f.id === second.id)];
    expect(envelopes(back).map((e) => e.id)).toEqual([first.id, second.id]);
    expect(typeof a.ageMs).toBe('number');
    expect(typeof b.ageMs).toBe('number');
    expect(JSON.parse(back.frames[0] as string)).toMatchObject({ resumed: true, sessionId });
  });

  it('keeps at most maxQueuedBytesPerSession bytes for a dropped session: the newest, in order', async () => {
    await start({
      limits: { sessionGraceMs: 30_000, maxQueuedBytesPerSession: 24_000, pairInviteBurst: 100 },
    });
    const alice = await anonymous();
    alice.send(JSON.stringify({ kind: 'hello', token: server.issueToken('alice') }));
    const { sessionId } = await alice.next(isKind('welcome'));
    alice.socket.terminate();
    await alice.closed;
    const bob = await login('bob');
    // Ten invites of about 10 KB each: 100 KB addressed to a session that holds 24 KB.
    const sent = Array.from({ length: 10 }, () =>
      createEnvelope(
        {
          type: 'invite',
          callId: nanoid(),
          from: 'bob',
          fromDevice: 'bob-device',
          to: 'alice',
          sdp: `v=0\r\n${'a=x-filler\r\n'.repeat(800)}`,
          media: { audio: true, video: false },
          lifetimeMs: 30_000,
        },
        nanoid(),
      ),
    );
    for (const envelope of sent) bob.send(encodeEnvelope(envelope));
    await settle(bob);
    const back = await login('alice', { sessionId: sessionId as string, received: 0 });
    await back.next((f) => f.id === sent[9]?.id);
    const kept = envelopes(back).map((e) => e.id);
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.length).toBeLessThanOrEqual(3);
    expect(kept).toEqual(sent.slice(-kept.length).map((e) => e.id));
  });

  it('resends what a dead link may have swallowed: everything past the count the client reports', async () => {
    await start({ limits: { sessionGraceMs: 30_000 } });
    const alice = await anonymous();
    alice.send(JSON.stringify({ kind: 'hello', token: server.issueToken('alice') }));
    const { sessionId } = await alice.next(isKind('welcome'));
    const bob = await login('bob');
    const sent = [ringing('bob', 'alice'), ringing('bob', 'alice'), ringing('bob', 'alice')];
    for (const envelope of sent) bob.send(encodeEnvelope(envelope));
    await alice.next((f) => f.id === sent[2]?.id);
    // Alice says she got only the first one before her link died.
    const back = await login('alice', { sessionId: sessionId as string, received: 1 });
    await back.next((f) => f.id === sent[2]?.id);
    expect(envelopes(back).map((e) => e.id)).toEqual([sent[1]?.id, sent[2]?.id]);
  });

  it('starts a fresh session for an unknown session id', async () => {
    await start();
    const client = await anonymous();
    client.send(
      JSON.stringify({ kind: 'hello', token: server.issueToken('alice'), sessionId: 'no-such-session' }),
    );
    expect(await client.next(isKind('welcome'))).toMatchObject({ resumed: false });
  });

  it('does not let another user resume a session', async () => {
    await start({ limits: { sessionGraceMs: 30_000 } });
    const alice = await anonymous();
    alice.send(JSON.stringify({ kind: 'hello', token: server.issueToken('alice') }));
    const { sessionId } = await alice.next(isKind('welcome'));
    alice.socket.terminate();
    const mallory = await anonymous();
    mallory.send(JSON.stringify({ kind: 'hello', token: server.issueToken('mallory'), sessionId }));
    expect(await mallory.next(isKind('welcome'))).toMatchObject({ userId: 'mallory', resumed: false });
    expect((await mallory.next(isKind('welcome'))).sessionId).not.toBe(sessionId);
  });

  it('answers unavailable for what was held once the grace period runs out', async () => {
    await start({ limits: { sessionGraceMs: 300 } });
    const alice = await login('alice');
    alice.socket.terminate();
    await alice.closed;
    const bob = await login('bob');
    const call = ringing('bob', 'alice');
    bob.send(encodeEnvelope(call));
    expect(await bob.next((f) => f.type === 'unavailable')).toMatchObject({
      callId: call.callId,
      from: 'alice',
    });
  });

  it('ends the session at once on bye: the user is offline without a grace period', async () => {
    await start({ limits: { sessionGraceMs: 60_000 } });
    const alice = await login('alice');
    alice.send(JSON.stringify({ kind: 'bye' }));
    expect((await alice.closed).code).toBe(1000);
    const bob = await login('bob');
    bob.send(encodeEnvelope(ringing('bob', 'alice')));
    expect(await bob.next((f) => f.type === 'unavailable')).toMatchObject({ from: 'alice' });
  });
});

describe('limits', () => {
  it('closes a connection with 1009 for a frame above maxFrameBytes', async () => {
    await start({ limits: { maxFrameBytes: 1024 } });
    const alice = await login('alice');
    alice.send('x'.repeat(2048));
    expect((await alice.closed).code).toBe(1009);
  });

  it('answers a frame above the protocol limit (but within maxFrameBytes) with oversize and stays open', async () => {
    await start();
    const alice = await login('alice');
    alice.send(
      encodeEnvelope({ ...ringing('alice', 'bob'), fromDevice: 'd' }).replace(
        '"d"',
        `"${'d'.repeat(70_000)}"`,
      ),
    );
    expect(await alice.next(isKind('error'))).toMatchObject({ code: 'oversize' });
    await settle(alice);
  });

  it('drops frames over the rate limit with one rate-limited error, and stays open', async () => {
    await start({ limits: { messagesPerSecond: 1, messageBurst: 3, rateViolationsBeforeClose: 1000 } });
    const alice = await login('alice');
    for (let i = 0; i < 20; i += 1) alice.send(JSON.stringify({ kind: 'ping', t: i }));
    expect(await alice.next(isKind('error'))).toMatchObject({ code: 'rate-limited' });
    const errors = alice.frames.filter((f) => JSON.parse(f).kind === 'error');
    expect(errors.length).toBeLessThanOrEqual(1);
    expect(alice.socket.readyState).toBe(alice.socket.OPEN);
  });

  it('closes a connection with 1008 when it keeps flooding', async () => {
    await start({ limits: { messagesPerSecond: 1, messageBurst: 3, rateViolationsBeforeClose: 10 } });
    const alice = await login('alice');
    for (let i = 0; i < 50; i += 1) alice.send(JSON.stringify({ kind: 'ping', t: i }));
    expect((await alice.closed).code).toBe(1008);
  });

  it('refuses a connection beyond maxConnectionsPerUser with too-many-connections and 1008', async () => {
    await start({ limits: { maxConnectionsPerUser: 2 } });
    await login('alice');
    await login('alice');
    const third = await anonymous();
    third.send(JSON.stringify({ kind: 'hello', token: server.issueToken('alice') }));
    expect(await third.next(isKind('error'))).toMatchObject({ code: 'too-many-connections' });
    expect((await third.closed).code).toBe(1008);
  });

  it('closes an authenticated connection that goes silent past idleTimeoutMs', async () => {
    await start({ limits: { idleTimeoutMs: 300 } });
    const alice = await login('alice');
    const { code } = await alice.closed;
    expect(code).not.toBe(1000);
  });
});

describe('bad frames: each gets a typed error, is logged once, and the connection goes on', () => {
  const call = () => ringing('alice', 'bob');
  it.each<[string, string, () => string | Buffer]>([
    ['malformed JSON', 'malformed-json', () => '{"v":1,'],
    ['JSON that is not an object', 'invalid-envelope', () => '[1,2,3]'],
    [
      'a schema violation (no callId)',
      'invalid-envelope',
      () => JSON.stringify({ ...call(), callId: undefined }),
    ],
    ['an unknown message type', 'unknown-type', () => JSON.stringify({ ...call(), type: 'teleport' })],
    ['an unknown protocol version', 'unsupported-version', () => JSON.stringify({ ...call(), v: 2 })],
    ['an unknown control kind', 'invalid-control-frame', () => JSON.stringify({ kind: 'sudo' })],
    [
      'a control frame with wrong fields',
      'invalid-control-frame',
      () => JSON.stringify({ kind: 'ping', t: 'now' }),
    ],
    ['a second hello', 'invalid-control-frame', () => JSON.stringify({ kind: 'hello', token: 'x' })],
    ['a binary frame', 'malformed-json', () => Buffer.from([1, 2, 3])],
  ])('%s → %s', async (_label, code, frame) => {
    await start();
    const [alice, bob] = [await login('alice'), await login('bob')];
    alice.send(frame());
    expect(await alice.next(isKind('error'))).toMatchObject({ code });
    expect(server.logs.filter((l) => l.event === 'bad-frame')).toHaveLength(1);
    const after = ringing('alice', 'bob');
    alice.send(encodeEnvelope(after));
    expect(await bob.next((f) => f.id === after.id)).toMatchObject({ from: 'alice' });
  });
});

describe('operations', () => {
  it('reports health as JSON', async () => {
    await start();
    await login('alice');
    const response = await fetch(`${server.httpUrl}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ok', users: 1, sessions: 1, cluster: 'disabled' });
  });

  it('in dev mode issues working tokens for any id and says so in its log', async () => {
    await start({ dev: true, secret: undefined });
    expect(server.logs.some((l) => l.event === 'dev-mode')).toBe(true);
    const { token } = (await (await fetch(`${server.httpUrl}/dev-token?user=zoe`)).json()) as {
      token: string;
    };
    const client = await anonymous();
    client.send(JSON.stringify({ kind: 'hello', token }));
    expect(await client.next(isKind('welcome'))).toMatchObject({ userId: 'zoe' });
    expect((await fetch(`${server.httpUrl}/dev-token?user=a/b`)).status).toBe(400);
  });

  it('has no dev-token endpoint outside dev mode', async () => {
    await start();
    expect((await fetch(`${server.httpUrl}/dev-token?user=zoe`)).status).toBe(404);
  });

  it('shuts down gracefully: a shutdown frame, then close 1012', async () => {
    await start();
    const alice = await login('alice');
    const closing = server.close();
    expect(await alice.next(isKind('shutdown'))).toMatchObject({ kind: 'shutdown' });
    expect((await alice.closed).code).toBe(1012);
    await closing;
  });
});
