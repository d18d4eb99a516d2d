// The MQTT transport's own behaviour beyond the shared contract: status, queueing, presence and the
// `unavailable` answer, expiry of held invites, and bad arguments.
import { createMqttTransport, createTopicLayout, type MqttTransport } from '@handset/adapter-mqtt';
import { createToken } from '@handset/adapter-mqtt/broker';
import { createEnvelope, type Envelope, encodeEnvelope, HandsetError, validateEnvelope } from '@handset/core';
import { ringingFrom, waitOpen } from '@handset/core/testing';
import { nanoid } from 'nanoid';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type EmbeddedHarness, SECRET, startEmbeddedHarness } from './support/embedded-broker.js';
import { invite, nextEnvelope, nextFrames, sleep, statusReached } from './support/frames.js';
import { publishReason, rawClient } from './support/raw-client.js';

const topics = createTopicLayout();
const neverReconnect = { nextRetryDelayMs: () => null };

/** Sends `make()` until `to` is answered `unavailable` (presence updates travel asynchronously). */
async function untilUnavailable(sender: MqttTransport, make: () => Envelope): Promise<Envelope> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const envelope = make();
    const reply = nextEnvelope(sender).catch(() => null);
    sender.send(envelope);
    const answer = await Promise.race([reply, sleep(200).then(() => null)]);
    if (answer?.type === 'unavailable' && answer.callId === envelope.callId) return answer;
  }
  throw new Error('never answered unavailable');
}

describe('the MQTT transport', () => {
  let harness: EmbeddedHarness;
  const id = (name: string) => `${name}-${nanoid(6)}`;
  beforeEach(async () => {
    harness = await startEmbeddedHarness('tcp');
  });
  afterEach(() => harness.close());

  it('goes connecting → open → reconnecting → open → closed across a broker restart', async () => {
    let tokensIssued = 0;
    const alice = id('alice');
    const transport = await harness.connect(alice, {
      token: () => {
        tokensIssued += 1;
        return createToken(alice, SECRET, 600);
      },
    });
    const statuses: string[] = [];
    transport.status$.subscribe((status) => statuses.push(status));
    await waitOpen(transport);
    await harness.restartBroker();
    await statusReached(transport, 'reconnecting');
    await statusReached(transport, 'open');
    transport.close();
    expect(statuses).toEqual(['connecting', 'open', 'reconnecting', 'open', 'closed']);
    // A fresh token for every attempt, so a refreshed one is used after a long outage.
    expect(tokensIssued).toBeGreaterThanOrEqual(2);
  });

  it('queues envelopes while its link is down and delivers them in order after reconnecting', async () => {
    const [alice, bob] = [id('alice'), id('bob')];
    const aliceTransport = await harness.connect(alice, { reconnectPolicy: { nextRetryDelayMs: () => 300 } });
    const bobTransport = await harness.connect(bob);
    await Promise.all([waitOpen(aliceTransport), waitOpen(bobTransport)]);
    const callIds = Array.from({ length: 20 }, () => nanoid());
    const received = nextFrames(bobTransport, callIds.length);
    aliceTransport.status$.subscribe((status) => {
      // Sent the moment the link is known to be down, before any reconnect can happen.
      if (status === 'reconnecting')
        for (const callId of callIds) aliceTransport.send(ringingFrom(alice, bob, callId));
    });
    harness.dropConnection(aliceTransport.clientId);
    const frames = await received;
    expect(frames.map((frame) => JSON.parse(frame).callId)).toEqual(callIds);
  });

  it('answers an invite to a user who never connected with `unavailable` from the broker, without publishing it', async () => {
    const [alice, nobody] = [id('alice'), id('nobody')];
    const published: string[] = [];
    harness.broker.aedes.on('publish', (packet) => published.push(packet.topic));
    const transport = await harness.connect(alice);
    await waitOpen(transport);
    const sent = invite(alice, nobody);
    const reply = nextEnvelope(transport);
    transport.send(sent);
    expect(await reply).toMatchObject({
      type: 'unavailable',
      callId: sent.callId,
      from: nobody,
      fromDevice: 'broker',
      to: alice,
    });
    expect(published).not.toContain(topics.inbox(nobody, alice));
  });

  it('never answers an `unavailable` with an `unavailable`, and answers each call once', async () => {
    const [alice, nobody] = [id('alice'), id('nobody')];
    const transport = await harness.connect(alice);
    await waitOpen(transport);
    const first = invite(alice, nobody);
    const second = ringingFrom(alice, nobody);
    const replies = nextFrames(transport, 2);
    transport.send(
      createEnvelope(
        { type: 'unavailable', callId: nanoid(), from: alice, fromDevice: 'd', to: nobody },
        nanoid(),
      ),
    );
    transport.send(first);
    transport.send(
      createEnvelope(
        { type: 'cancel', callId: first.callId, from: alice, fromDevice: 'd', to: nobody },
        nanoid(),
      ),
    );
    transport.send(second);
    const callIds = (await replies).map((frame) => JSON.parse(frame).callId);
    expect(callIds).toEqual([first.callId, second.callId]);
  });

  it('never has to publish to an id that cannot be a topic level: the protocol refuses such ids', () => {
    const envelope = ringingFrom(id('alice'), 'bob');
    for (const to of ['bob+everyone', 'bob/#', '#']) {
      expect(validateEnvelope({ ...envelope, to }).ok).toBe(false);
    }
  });

  it("reads a dead user's Last Will as offline", async () => {
    const [alice, bob] = [id('alice'), id('bob')];
    const bobTransport = await harness.connect(bob, { reconnectPolicy: neverReconnect });
    await waitOpen(bobTransport);
    const watcherId = id('watcher');
    const watcher = await rawClient(harness.broker.tcpUrl!, watcherId, createToken(watcherId, SECRET, 60));
    const offline = new Promise<string>((resolve) =>
      watcher.on('message', (_topic, payload) => {
        if (payload.toString() === 'offline') resolve('offline');
      }),
    );
    await watcher.subscribeAsync(topics.presenceFilter(bob), { qos: 1 });
    harness.dropConnection(bobTransport.clientId);
    expect(await offline).toBe('offline');
    const aliceTransport = await harness.connect(alice);
    await waitOpen(aliceTransport);
    const sent = invite(alice, bob);
    const reply = nextEnvelope(aliceTransport);
    aliceTransport.send(sent);
    expect(await reply).toMatchObject({ type: 'unavailable', callId: sent.callId, from: bob });
    await watcher.endAsync();
  });

  it('learns that a watched user went offline, by Last Will and by a clean close', async () => {
    const [alice, bob, carol] = [id('alice'), id('bob'), id('carol')];
    const [aliceTransport, bobTransport, carolTransport] = [
      await harness.connect(alice),
      await harness.connect(bob, { reconnectPolicy: neverReconnect }),
      await harness.connect(carol),
    ];
    await Promise.all([waitOpen(aliceTransport), waitOpen(bobTransport), waitOpen(carolTransport)]);
    for (const [peer, peerTransport] of [
      [bob, bobTransport],
      [carol, carolTransport],
    ] as const) {
      const delivered = nextEnvelope(peerTransport);
      aliceTransport.send(ringingFrom(alice, peer));
      expect((await delivered).from).toBe(alice);
    }
    harness.dropConnection(bobTransport.clientId);
    carolTransport.close();
    expect(await untilUnavailable(aliceTransport, () => ringingFrom(alice, bob))).toMatchObject({
      from: bob,
    });
    expect(await untilUnavailable(aliceTransport, () => ringingFrom(alice, carol))).toMatchObject({
      from: carol,
    });
  });

  it('receives an invite held for its session with its age, and never one held past its lifetime', async () => {
    const [alice, bob] = [id('alice'), id('bob')];
    let attempts = 0;
    const bobTransport = await harness.connect(bob, {
      // Stay away long enough for the broker to count the expiry down by whole seconds.
      reconnectPolicy: { nextRetryDelayMs: () => (attempts++ === 0 ? 2500 : 100) },
    });
    await waitOpen(bobTransport);
    harness.dropConnection(bobTransport.clientId);
    await statusReached(bobTransport, 'reconnecting');
    const sender = await rawClient(harness.broker.tcpUrl!, alice, createToken(alice, SECRET, 60));
    const stale = invite(alice, bob, 1000);
    const fresh = invite(alice, bob, 60_000);
    const inbox = topics.inbox(bob, alice);
    expect(
      await publishReason(sender, inbox, encodeEnvelope(stale), { properties: { messageExpiryInterval: 1 } }),
    ).toBe(0);
    expect(
      await publishReason(sender, inbox, encodeEnvelope(fresh), {
        properties: { messageExpiryInterval: 60 },
      }),
    ).toBe(0);
    const received = await nextEnvelope(bobTransport);
    expect(received).toMatchObject({ type: 'invite', callId: fresh.callId });
    expect(received.ageMs).toBeGreaterThanOrEqual(1000);
    await sender.endAsync();
  });

  it('watches a bounded number of peers and reads an evicted one again when needed', async () => {
    const [alice, bob, carol] = [id('alice'), id('bob'), id('carol')];
    const aliceTransport = await harness.connect(alice, { presenceCacheSize: 1 });
    const [bobTransport, carolTransport] = [await harness.connect(bob), await harness.connect(carol)];
    await Promise.all([waitOpen(aliceTransport), waitOpen(bobTransport), waitOpen(carolTransport)]);
    for (const [peer, peerTransport] of [
      [bob, bobTransport],
      [carol, carolTransport],
      [bob, bobTransport],
    ] as const) {
      const sent = invite(alice, peer);
      const delivered = nextEnvelope(peerTransport);
      aliceTransport.send(sent);
      expect(await delivered).toMatchObject({ type: 'invite', callId: sent.callId });
    }
    const probe = ringingFrom(alice, id('nobody'));
    const firstReply = nextEnvelope(aliceTransport);
    aliceTransport.send(probe);
    // No `unavailable` for Bob or Carol came before the one for the probe.
    expect(await firstReply).toMatchObject({ type: 'unavailable', callId: probe.callId });
  });

  it('refuses user ids that cannot be a topic level', () => {
    for (const userId of ['', 'a/b', 'a+b', '#', 'x'.repeat(129)]) {
      expect(() => createMqttTransport({ url: 'mqtt://127.0.0.1:1', userId })).toThrow(HandsetError);
    }
  });

  it('drops sends after close and closes only once', async () => {
    const transport = await harness.connect(id('alice'));
    await waitOpen(transport);
    transport.close();
    transport.close();
    expect(() => transport.send(ringingFrom('alice', 'bob'))).not.toThrow();
    expect(transport.status).toBe('closed');
    await transport.ended;
  });
});
