// A client id is bound to its user (`<userId>:<device>`): on both brokers, a logged-in user cannot take
// another user's session (and the invites queued in it) or kick that user off by reusing its client id.
import { createTopicLayout } from '@handset/adapter-mqtt';
import { createToken } from '@handset/adapter-mqtt/broker';
import { encodeEnvelope } from '@handset/core';
import { connect, connectAsync, type IClientOptions, type MqttClient } from 'mqtt';
import { nanoid } from 'nanoid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SECRET, startEmbeddedHarness } from './support/embedded-broker.js';
import { invite, WAIT_MS } from './support/frames.js';
import { startMosquitto } from './support/mosquitto.js';
import { publishReason } from './support/raw-client.js';

const topics = createTopicLayout();

interface Broker {
  url: string;
  credentials(userId: string): Promise<string>;
  /** The CONNACK reason code this broker answers a client id of another user with. */
  refusedIdCode: number;
  /** ... and an empty client id with (mosquitto refuses it before login: allow_zero_length_clientid false). */
  emptyIdCode: number;
  stop(): Promise<void>;
}

const brokers: { name: string; start(): Promise<Broker> }[] = [
  {
    name: 'the embedded broker',
    async start() {
      const harness = await startEmbeddedHarness('tcp');
      return {
        url: harness.broker.tcpUrl!,
        credentials: async (userId) => createToken(userId, SECRET, 600),
        refusedIdCode: 0x85,
        emptyIdCode: 0x85,
        stop: harness.close,
      };
    },
  },
  {
    name: 'mosquitto with the shipped configuration',
    async start() {
      const mosquitto = await startMosquitto();
      return {
        url: mosquitto.tcpUrl,
        credentials: (userId) => mosquitto.addUser(userId),
        refusedIdCode: 0x87,
        emptyIdCode: 0x80,
        stop: mosquitto.stop,
      };
    },
  },
];

/** A persistent-session MQTT 5 login, as the transport makes it (clean start false, 120 s session). */
function sessionOptions(username: string, password: string, clientId: string): IClientOptions {
  return {
    protocolVersion: 5,
    username,
    password,
    clientId,
    clean: false,
    properties: { sessionExpiryInterval: 120 },
    reconnectPeriod: 0,
    connectTimeout: 5000,
  };
}

function connectAs(
  url: string,
  username: string,
  password: string,
  clientId: string,
  extra: IClientOptions = {},
): Promise<MqttClient> {
  return connectAsync(url, { ...sessionOptions(username, password, clientId), ...extra });
}

async function refusalCode(connecting: Promise<MqttClient>): Promise<number> {
  try {
    const client = await connecting;
    await client.endAsync();
    return 0;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'number' ? code : -1;
  }
}

function waitForMessage(client: MqttClient, containing: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no message containing ${containing}`)), WAIT_MS);
    client.on('message', (_topic, payload) => {
      const text = payload.toString();
      if (text.includes(containing)) {
        clearTimeout(timer);
        resolve(text);
      }
    });
  });
}

for (const kind of brokers) {
  describe(`client identity on ${kind.name}`, () => {
    let broker: Broker;
    beforeAll(async () => {
      broker = await kind.start();
    });
    afterAll(() => broker?.stop());

    const users = () => {
      const suffix = nanoid(6);
      return { alice: `alice-${suffix}`, bob: `bob-${suffix}` };
    };
    const login = async (userId: string, clientId: string, extra: IClientOptions = {}) =>
      connectAs(broker.url, userId, await broker.credentials(userId), clientId, extra);

    it("refuses a user who resumes another user's session, and the owner later gets the queued invite", async () => {
      const { alice, bob } = users();
      const bobId = `${bob}:phone1`;
      const bobBefore = await login(bob, bobId);
      await bobBefore.subscribeAsync(topics.inboxFilter(bob), { qos: 1 });
      // Bob's link dies without a DISCONNECT; his session (and what is sent to him) stays on the broker.
      const bobGone = new Promise((resolve) => bobBefore.once('close', resolve));
      bobBefore.stream.destroy();
      await bobGone;

      const aliceSender = await login(alice, `${alice}:laptop`);
      const queued = invite(alice, bob);
      expect(await publishReason(aliceSender, topics.inbox(bob, alice), encodeEnvelope(queued))).toBe(0);

      const hijack = login(alice, bobId);
      expect(await refusalCode(hijack)).toBe(broker.refusedIdCode);

      // Listen before CONNACK: the broker sends the queued invite right after it.
      const bobAgain = connect(broker.url, {
        ...sessionOptions(bob, await broker.credentials(bob), bobId),
      });
      expect(await waitForMessage(bobAgain, queued.id)).toContain(queued.id);
      await Promise.all([aliceSender.endAsync(), bobAgain.endAsync()]);
    });

    it("does not kick a user off when someone else connects with that user's client id", async () => {
      const { alice, bob } = users();
      const bobId = `${bob}:phone1`;
      const bobClient = await login(bob, bobId);
      await bobClient.subscribeAsync(topics.inboxFilter(bob), { qos: 1 });
      let bobClosed = false;
      bobClient.on('close', () => {
        bobClosed = true;
      });
      for (let attempt = 0; attempt < 5; attempt += 1) {
        expect(await refusalCode(login(alice, bobId))).toBe(broker.refusedIdCode);
      }
      // Bob's link is the same one, and still carries his invites.
      const sender = await login(alice, `${alice}:laptop`);
      const next = invite(alice, bob);
      const arrived = waitForMessage(bobClient, next.id);
      expect(await publishReason(sender, topics.inbox(bob, alice), encodeEnvelope(next))).toBe(0);
      await arrived;
      expect(bobClosed).toBe(false);
      expect(bobClient.connected).toBe(true);
      await Promise.all([sender.endAsync(), bobClient.endAsync()]);
    });

    it("lets one user's devices work side by side, each receiving the user's invites", async () => {
      const { alice, bob } = users();
      const [phone, laptop] = [await login(bob, `${bob}:a`), await login(bob, `${bob}:b`)];
      await Promise.all([
        phone.subscribeAsync(topics.inboxFilter(bob), { qos: 1 }),
        laptop.subscribeAsync(topics.inboxFilter(bob), { qos: 1 }),
      ]);
      const sender = await login(alice, `${alice}:laptop`);
      const sent = invite(alice, bob);
      const both = Promise.all([waitForMessage(phone, sent.id), waitForMessage(laptop, sent.id)]);
      expect(await publishReason(sender, topics.inbox(bob, alice), encodeEnvelope(sent))).toBe(0);
      await both;
      expect(phone.connected && laptop.connected).toBe(true);
      await Promise.all([phone.endAsync(), laptop.endAsync(), sender.endAsync()]);
    });

    it('refuses client ids that are not <own user id>:<device>', async () => {
      const { alice, bob } = users();
      for (const clientId of [
        bob, // another user's bare id
        alice, // no device part
        `${alice}:`, // empty device
        `${bob}:phone1`, // another user's prefix
        `${alice}:has space`,
        `${alice}:${'d'.repeat(65)}`,
        `x${alice}:phone`, // prefix that merely contains the user id
        'mqttjs_0123abcd',
      ]) {
        expect({ clientId, code: await refusalCode(login(alice, clientId)) }).toEqual({
          clientId,
          code: broker.refusedIdCode,
        });
      }
      expect(await refusalCode(login(alice, `${alice}:Phone_1-x`))).toBe(0);
    });

    it('refuses an empty client id (the broker would otherwise assign one)', async () => {
      const { alice } = users();
      expect(await refusalCode(login(alice, '', { clean: true }))).toBe(broker.emptyIdCode);
    });
  });
}

describe('client identity on the embedded broker, for user ids mosquitto cannot hold', () => {
  it('accepts a user id that itself contains ":" (the device is after the last ":")', async () => {
    const harness = await startEmbeddedHarness('tcp');
    try {
      const user = `team:${nanoid(6)}`;
      const token = createToken(user, SECRET, 600);
      const client = await connectAs(harness.broker.tcpUrl!, user, token, `${user}:desk`);
      expect(await client.subscribeAsync(topics.inboxFilter(user), { qos: 1 })).toMatchObject([{ qos: 1 }]);
      await client.endAsync();
      expect(await refusalCode(connectAs(harness.broker.tcpUrl!, user, token, 'team:desk'))).toBe(0x85);
    } finally {
      await harness.close();
    }
  });
});

describe('client identity on the embedded broker in dev mode', () => {
  it('still binds the client id to the username when no token is checked', async () => {
    const harness = await startEmbeddedHarness('tcp', { dev: true, secret: undefined });
    try {
      const url = harness.broker.tcpUrl!;
      expect(await refusalCode(connectAs(url, 'bob', '', 'alice:phone'))).toBe(0x85);
      expect(await refusalCode(connectAs(url, 'bob', '', 'bob:phone'))).toBe(0);
    } finally {
      await harness.close();
    }
  });
});
