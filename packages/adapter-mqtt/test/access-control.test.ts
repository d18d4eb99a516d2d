// The broker-side rules, tried on the wire with bare MQTT clients, on the embedded broker and on mosquitto.
import { createMqttTransport, createTopicLayout } from '@handset/adapter-mqtt';
import { createToken } from '@handset/adapter-mqtt/broker';
import { createEnvelope, encodeEnvelope, HandsetError, RESERVED_DEVICE_IDS } from '@handset/core';
import { ringingFrom, waitOpen } from '@handset/core/testing';
import { nanoid } from 'nanoid';
import { filter, firstValueFrom, timeout } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedHarness, SECRET, startEmbeddedHarness } from './support/embedded-broker.js';
import { nextEnvelope, WAIT_MS } from './support/frames.js';
import { type Mosquitto, mosquittoHarness, startMosquitto } from './support/mosquitto.js';
import { connectReason, publishReason, rawClient, subscribeReason } from './support/raw-client.js';

const topics = createTopicLayout();
const NOT_AUTHORIZED = 0x87;
const REFUSED = 0x80;

interface Broker {
  url: string;
  /** The password (embedded: a signed token) that logs `userId` in. */
  credentials(userId: string): Promise<string>;
  connect: EmbeddedHarness['connect'];
}

const brokers: { name: string; start(): Promise<Broker & { stop(): Promise<void> }> }[] = [
  {
    name: 'the embedded broker',
    async start() {
      const harness = await startEmbeddedHarness('tcp');
      return {
        url: harness.broker.tcpUrl!,
        credentials: async (userId) => createToken(userId, SECRET, 600),
        connect: harness.connect,
        stop: harness.close,
      };
    },
  },
  {
    name: 'mosquitto',
    async start() {
      const mosquitto: Mosquitto = await startMosquitto();
      const harness = mosquittoHarness(mosquitto, 'tcp');
      return {
        url: mosquitto.tcpUrl,
        credentials: (userId) => mosquitto.addUser(userId),
        connect: harness.connect,
        async stop() {
          await harness.close();
          await mosquitto.stop();
        },
      };
    },
  },
];

/** `unavailable` (what a broker answers for an absent device) as a user would forge it, signed by `fromDevice`. */
function forgedUnavailable(from: string, to: string, fromDevice: string) {
  return createEnvelope({ type: 'unavailable', callId: nanoid(), from, fromDevice, to }, nanoid());
}
const RESERVED = [...RESERVED_DEVICE_IDS];

for (const kind of brokers) {
  describe(`access control on ${kind.name}`, () => {
    let broker: Broker & { stop(): Promise<void> };
    beforeAll(async () => {
      broker = await kind.start();
    });
    afterAll(() => broker?.stop());

    const users = () => {
      const suffix = nanoid(6);
      return { alice: `alice-${suffix}`, bob: `bob-${suffix}`, mallory: `mallory-${suffix}` };
    };
    const raw = async (userId: string) => rawClient(broker.url, userId, await broker.credentials(userId));

    it('refuses a publish into an inbox under another sender segment, and the addressee never sees it', async () => {
      const { alice, bob, mallory } = users();
      const bobTransport = await broker.connect(bob);
      const aliceTransport = await broker.connect(alice);
      await Promise.all([waitOpen(bobTransport), waitOpen(aliceTransport)]);
      const attacker = await raw(mallory);
      const spoofed = ringingFrom(alice, bob);
      expect(await publishReason(attacker, topics.inbox(bob, alice), encodeEnvelope(spoofed))).toBe(
        NOT_AUTHORIZED,
      );
      const genuine = ringingFrom(alice, bob);
      const received = nextEnvelope(bobTransport);
      aliceTransport.send(genuine);
      expect((await received).id).toBe(genuine.id);
      await attacker.endAsync();
    });

    it("refuses a publish to another user's presence", async () => {
      const { bob, mallory } = users();
      const attacker = await raw(mallory);
      expect(await publishReason(attacker, topics.presence(bob, 'device'), 'online', { retain: true })).toBe(
        NOT_AUTHORIZED,
      );
      await attacker.endAsync();
    });

    it('refuses a publish outside the Handset topics', async () => {
      const { mallory } = users();
      const attacker = await raw(mallory);
      expect(await publishReason(attacker, 'somewhere/else', 'hello')).toBe(NOT_AUTHORIZED);
      await attacker.endAsync();
    });

    it("delivers none of another user's inbox to a client that subscribes to it", async () => {
      const { alice, bob, mallory } = users();
      const [aliceTransport, bobTransport] = [await broker.connect(alice), await broker.connect(bob)];
      await Promise.all([waitOpen(aliceTransport), waitOpen(bobTransport)]);
      const eavesdropper = await raw(mallory);
      expect(await subscribeReason(eavesdropper, topics.inboxFilter(bob))).toBe(NOT_AUTHORIZED);
      const overheard: string[] = [];
      eavesdropper.on('message', (topic) => overheard.push(topic));
      const received = nextEnvelope(bobTransport);
      aliceTransport.send(ringingFrom(alice, bob));
      await received;
      // A round trip to the broker after Bob's delivery: anything overheard would have arrived by now.
      await eavesdropper.subscribeAsync(topics.presenceFilter(alice));
      expect(overheard.filter((topic) => topic.includes('/inbox/'))).toEqual([]);
      await eavesdropper.endAsync();
    });

    it('refuses a retained message in an inbox, and the addressee logging in later gets no ghost invite', async () => {
      const { alice, bob } = users();
      const sender = await raw(alice);
      const ghost = encodeEnvelope(ringingFrom(alice, bob));
      expect(await publishReason(sender, topics.inbox(bob, alice), ghost, { retain: true })).toBe(
        NOT_AUTHORIZED,
      );
      await sender.endAsync();
      const victim = await raw(bob);
      const delivered: string[] = [];
      victim.on('message', (topic) => delivered.push(topic));
      expect(await subscribeReason(victim, topics.inboxFilter(bob))).toBe(1);
      // Retained messages come right after the SUBACK; a further round trip lets any of them arrive.
      await victim.subscribeAsync(topics.presenceFilter(alice));
      expect(delivered).toEqual([]);
      await victim.endAsync();
    });

    it("refuses retained messages anywhere but a device's own presence, so one user cannot fill retained storage", async () => {
      const { mallory } = users();
      const attacker = await raw(mallory);
      const big = 'x'.repeat(100_000);
      const codes = new Set<number>();
      for (let i = 0; i < 20; i += 1) {
        codes.add(
          await publishReason(attacker, topics.inbox(`made-up-${nanoid(6)}`, mallory), big, { retain: true }),
        );
      }
      const ownPresence = topics.presence(mallory, attacker.options.clientId!);
      codes.add(await publishReason(attacker, ownPresence, big, { retain: true }));
      codes.add(
        await publishReason(attacker, topics.presence(mallory, `${mallory}:other`), 'online', {
          retain: true,
        }),
      );
      expect([...codes]).toEqual([NOT_AUTHORIZED]);
      expect(await publishReason(attacker, ownPresence, 'online', { retain: true })).toBe(0);
      await attacker.endAsync();
    });

    it("allows reading one named user's presence but refuses every user's presence, other inboxes and $SYS", async () => {
      const { alice, bob } = users();
      const client = await raw(alice);
      expect(await subscribeReason(client, topics.presenceFilter(bob))).toBe(1);
      expect(await subscribeReason(client, topics.inboxFilter(alice))).toBe(1);
      expect(await subscribeReason(client, 'handset/v1/u/+/presence/+')).toBe(NOT_AUTHORIZED);
      expect(await subscribeReason(client, topics.presence(bob, `${bob}:phone`))).toBe(NOT_AUTHORIZED);
      expect(await subscribeReason(client, topics.inboxFilter(bob))).toBe(NOT_AUTHORIZED);
      expect(await subscribeReason(client, 'handset/v1/#')).toBe(NOT_AUTHORIZED);
      expect(await subscribeReason(client, '#')).toBe(NOT_AUTHORIZED);
      expect(await subscribeReason(client, '$SYS/#')).toBe(NOT_AUTHORIZED);
      await client.endAsync();
    });

    it('refuses a presence payload other than online/offline, and presence of another connection', async () => {
      const { alice } = users();
      const client = await raw(alice);
      const own = topics.presence(alice, client.options.clientId!);
      expect(await publishReason(client, own, 'maybe')).toBe(NOT_AUTHORIZED);
      expect(await publishReason(client, topics.presence(alice, `${alice}:other`), 'online')).toBe(
        NOT_AUTHORIZED,
      );
      expect(await publishReason(client, own, 'online')).toBe(0);
      await client.endAsync();
    });

    it('refuses a login with a wrong password or token', async () => {
      const { alice } = users();
      await broker.credentials(alice);
      expect(await connectReason(broker.url, alice, 'not-the-secret')).toBeGreaterThanOrEqual(REFUSED);
    });

    it('ends a transport whose credentials are refused as closed, with a transport error', async () => {
      const { alice } = users();
      await broker.credentials(alice);
      const transport = createMqttTransport({
        url: broker.url,
        userId: alice,
        clientId: `${alice}:phone`,
        token: 'not-the-secret',
      });
      const error = firstValueFrom(transport.errors$.pipe(timeout(WAIT_MS)));
      expect(await error).toMatchObject({ code: 'unauthenticated' });
      expect(await error).toBeInstanceOf(HandsetError);
      expect(transport.status).toBe('closed');
      await transport.ended;
    });
  });
}

describe('access control only the embedded broker can enforce', () => {
  let harness: EmbeddedHarness;
  let url: string;
  beforeAll(async () => {
    harness = await startEmbeddedHarness('tcp');
    url = harness.broker.tcpUrl!;
  });
  afterAll(() => harness?.close());
  const id = (name: string) => `${name}-${nanoid(6)}`;

  it('refuses an expired token', async () => {
    const alice = id('alice');
    const expired = createToken(alice, SECRET, 60, Date.now() - 120_000);
    expect(await connectReason(url, alice, expired)).toBe(0x86);
  });

  it('refuses a token signed with another secret', async () => {
    const alice = id('alice');
    expect(await connectReason(url, alice, createToken(alice, 'another-secret-0123456789', 60))).toBe(0x86);
  });

  it('refuses a token issued to another user', async () => {
    expect(await connectReason(url, id('mallory'), createToken(id('alice'), SECRET, 60))).toBe(0x86);
  });

  it('refuses a login without a token', async () => {
    expect(await connectReason(url, id('alice'))).toBe(0x86);
  });

  it('refuses a username holding an MQTT wildcard', async () => {
    expect(await connectReason(url, '+', 'whatever')).toBe(0x86);
    expect(await connectReason(url, 'a#', 'whatever')).toBe(0x86);
  });

  it('refuses a non-protocol payload on an inbox, and the addressee never sees it', async () => {
    const [alice, bob] = [id('alice'), id('bob')];
    const bobTransport = await harness.connect(bob);
    await waitOpen(bobTransport);
    const sender = await rawClient(url, alice, createToken(alice, SECRET, 60));
    expect(await publishReason(sender, topics.inbox(bob, alice), 'not json')).toBe(NOT_AUTHORIZED);
    expect(await publishReason(sender, topics.inbox(bob, alice), '{"v":1,"type":"ringing"}')).toBe(
      NOT_AUTHORIZED,
    );
    const genuine = ringingFrom(alice, bob);
    const received = nextEnvelope(bobTransport);
    expect(await publishReason(sender, topics.inbox(bob, alice), encodeEnvelope(genuine))).toBe(0);
    expect((await received).id).toBe(genuine.id);
    await sender.endAsync();
  });

  it("refuses an envelope whose `from` is not the topic's sender", async () => {
    const [alice, bob, mallory] = [id('alice'), id('bob'), id('mallory')];
    const sender = await rawClient(url, mallory, createToken(mallory, SECRET, 60));
    expect(
      await publishReason(sender, topics.inbox(bob, mallory), encodeEnvelope(ringingFrom(alice, bob))),
    ).toBe(NOT_AUTHORIZED);
    await sender.endAsync();
  });

  it('refuses an envelope claiming a reserved device id (broker, server, network); the addressee sees none', async () => {
    const [alice, bob] = [id('alice'), id('bob')];
    const bobTransport = await harness.connect(bob);
    await waitOpen(bobTransport);
    const sender = await rawClient(url, alice, createToken(alice, SECRET, 60));
    const received = nextEnvelope(bobTransport);
    expect(RESERVED).toEqual(expect.arrayContaining(['broker', 'server', 'network']));
    for (const device of RESERVED) {
      const forged = encodeEnvelope(forgedUnavailable(alice, bob, device));
      expect(await publishReason(sender, topics.inbox(bob, alice), forged)).toBe(NOT_AUTHORIZED);
    }
    const genuine = forgedUnavailable(alice, bob, 'alice-phone');
    expect(await publishReason(sender, topics.inbox(bob, alice), encodeEnvelope(genuine))).toBe(0);
    // Messages from one sender arrive in order: a forged one let through would have come first.
    expect(await received).toMatchObject({ id: genuine.id, fromDevice: 'alice-phone' });
    await sender.endAsync();
  });

  it('refuses an envelope whose `to` is not the inbox owner', async () => {
    const [alice, bob, carol] = [id('alice'), id('bob'), id('carol')];
    const sender = await rawClient(url, alice, createToken(alice, SECRET, 60));
    expect(
      await publishReason(sender, topics.inbox(bob, alice), encodeEnvelope(ringingFrom(alice, carol))),
    ).toBe(NOT_AUTHORIZED);
    await sender.endAsync();
  });
});

describe('access control in dev mode', () => {
  it('accepts any valid user id without a token, and still refuses wildcards', async () => {
    const harness = await startEmbeddedHarness('tcp', { dev: true, secret: undefined });
    try {
      expect(await connectReason(harness.broker.tcpUrl!, 'anybody')).toBe(0);
      expect(await connectReason(harness.broker.tcpUrl!, '#')).toBe(0x86);
    } finally {
      await harness.close();
    }
  });
});

describe('the transport on mosquitto, which cannot check payloads', () => {
  let mosquitto: Mosquitto;
  beforeAll(async () => {
    mosquitto = await startMosquitto();
  });
  afterAll(() => mosquitto?.stop());

  it('passes a non-protocol payload on as a raw frame that decodes to a typed protocol error', async () => {
    const harness = mosquittoHarness(mosquitto, 'tcp');
    const [alice, bob] = [`alice-${nanoid(6)}`, `bob-${nanoid(6)}`];
    const bobTransport = await harness.connect(bob);
    await waitOpen(bobTransport);
    const sender = await rawClient(mosquitto.tcpUrl, alice, await mosquitto.addUser(alice));
    const frame = firstValueFrom(bobTransport.incoming$.pipe(timeout(WAIT_MS)));
    await publishReason(sender, topics.inbox(bob, alice), 'not json');
    expect(await frame).toBe('not json');
    const { decodeEnvelope } = await import('@handset/core');
    expect(decodeEnvelope(await frame)).toMatchObject({ ok: false, error: { code: 'malformed-json' } });
    await sender.endAsync();
    await harness.close();
  });

  it("drops an envelope whose `from` is not the topic's sender", async () => {
    const harness = mosquittoHarness(mosquitto, 'tcp');
    const [alice, bob, mallory] = [`alice-${nanoid(6)}`, `bob-${nanoid(6)}`, `mallory-${nanoid(6)}`];
    const bobTransport = await harness.connect(bob);
    await waitOpen(bobTransport);
    const sender = await rawClient(mosquitto.tcpUrl, mallory, await mosquitto.addUser(mallory));
    const received = nextEnvelope(bobTransport);
    expect(
      await publishReason(sender, topics.inbox(bob, mallory), encodeEnvelope(ringingFrom(alice, bob))),
    ).toBe(0);
    const genuine = ringingFrom(mallory, bob);
    await publishReason(sender, topics.inbox(bob, mallory), encodeEnvelope(genuine));
    expect(await received).toMatchObject({ id: genuine.id, from: mallory });
    await sender.endAsync();
    await harness.close();
  });

  it('drops an envelope claiming a reserved device id (broker, server, network), logging reserved-device', async () => {
    const harness = mosquittoHarness(mosquitto, 'tcp');
    const [alice, bob] = [`alice-${nanoid(6)}`, `bob-${nanoid(6)}`];
    const logs: { level: string; event: string }[] = [];
    const bobTransport = await harness.connect(bob, {
      logger: (level, event) => logs.push({ level, event }),
    });
    await waitOpen(bobTransport);
    const sender = await rawClient(mosquitto.tcpUrl, alice, await mosquitto.addUser(alice));
    const received = nextEnvelope(bobTransport);
    for (const device of RESERVED) {
      // mosquitto cannot read payloads: it takes them, and the receiving transport is what drops them.
      const forged = encodeEnvelope(forgedUnavailable(alice, bob, device));
      expect(await publishReason(sender, topics.inbox(bob, alice), forged)).toBe(0);
    }
    const genuine = forgedUnavailable(alice, bob, 'alice-phone');
    await publishReason(sender, topics.inbox(bob, alice), encodeEnvelope(genuine));
    expect(await received).toMatchObject({ id: genuine.id, fromDevice: 'alice-phone' });
    expect(logs.filter((entry) => entry.event === 'reserved-device')).toHaveLength(RESERVED.length);
    expect(logs).toContainEqual({ level: 'warn', event: 'reserved-device' });
    await sender.endAsync();
    await harness.close();
  });

  it('delivers an envelope sent twice (QoS 1 redelivery) only once', async () => {
    const harness = mosquittoHarness(mosquitto, 'tcp');
    const [alice, bob] = [`alice-${nanoid(6)}`, `bob-${nanoid(6)}`];
    const bobTransport = await harness.connect(bob);
    await waitOpen(bobTransport);
    const sender = await rawClient(mosquitto.tcpUrl, alice, await mosquitto.addUser(alice));
    const ids: string[] = [];
    bobTransport.incoming$.subscribe((frame) => ids.push(JSON.parse(frame).id));
    const twice = ringingFrom(alice, bob);
    const after = createEnvelope(
      { type: 'ringing', callId: nanoid(), from: alice, fromDevice: 'd', to: bob },
      nanoid(),
    );
    const last = firstValueFrom(
      bobTransport.incoming$.pipe(
        filter((frame) => frame.includes(after.id)),
        timeout(WAIT_MS),
      ),
    );
    for (const envelope of [twice, twice, after]) {
      await publishReason(sender, topics.inbox(bob, alice), encodeEnvelope(envelope));
    }
    // Messages from one sender arrive in order, so the duplicate would have come before `after`.
    await last;
    expect(ids).toEqual([twice.id, after.id]);
    await sender.endAsync();
    await harness.close();
  });
});
