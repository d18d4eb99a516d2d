// A token's expiry holds for the whole connection on the embedded broker: the client is disconnected
// (MQTT 5 reason 0xA0, maximum connect time) when its token expires, and nothing it publishes after
// expiry is delivered; its Last Will still tells watchers it went offline.
import { createTopicLayout } from '@handset/adapter-mqtt';
import { createToken, type HandsetBroker, startBroker } from '@handset/adapter-mqtt/broker';
import { encodeEnvelope } from '@handset/core';
import { connect, type MqttClient } from 'mqtt';
import { nanoid } from 'nanoid';
import { afterEach, describe, expect, it } from 'vitest';
import { SECRET } from './support/embedded-broker.js';
import { invite, sleep, WAIT_MS } from './support/frames.js';
import { publishReason, rawClient } from './support/raw-client.js';

const topics = createTopicLayout();
const NOT_AUTHORIZED = 0x87;
const MAXIMUM_CONNECT_TIME = 0xa0;

let broker: HandsetBroker | null = null;
afterEach(async () => {
  await broker?.close();
  broker = null;
});

function nextMessage(client: MqttClient, containing: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no message containing ${containing}`)), WAIT_MS);
    client.on('message', (_topic, payload) => {
      if (payload.toString().includes(containing)) {
        clearTimeout(timer);
        resolve(payload.toString());
      }
    });
  });
}

describe('token expiry on the embedded broker', () => {
  it('disconnects a client with 0xA0 when its 2 s token expires, and its Last Will says offline', async () => {
    broker = await startBroker({ secret: SECRET });
    const [alice, bob] = [`alice-${nanoid(6)}`, `bob-${nanoid(6)}`];
    const watcher = await rawClient(broker.tcpUrl!, bob, createToken(bob, SECRET, 600));
    const aliceId = `${alice}:phone`;
    await watcher.subscribeAsync(topics.presenceFilter(alice), { qos: 1 });
    const offline = nextMessage(watcher, 'offline');

    const issued = Date.now();
    const client = connect(broker.tcpUrl!, {
      protocolVersion: 5,
      username: alice,
      password: createToken(alice, SECRET, 2, issued),
      clientId: aliceId,
      reconnectPeriod: 0,
      will: { topic: topics.presence(alice, aliceId), payload: Buffer.from('offline'), qos: 1, retain: true },
    });
    const reason = new Promise<number | undefined>((resolve) =>
      client.once('disconnect', (packet) => resolve(packet.reasonCode)),
    );
    const closed = new Promise((resolve) => client.once('close', resolve));
    const deadline = sleep(2000 + 5000).then(() => 'still connected');
    expect(await Promise.race([reason, deadline])).toBe(MAXIMUM_CONNECT_TIME);
    await closed;
    // Tokens carry whole seconds, so expiry is 1-2 s after issue; "at expiry" with generous slack.
    expect(Date.now() - issued).toBeGreaterThanOrEqual(900);
    expect(Date.now() - issued).toBeLessThan(2000 + 5000);
    expect(await offline).toBe('offline');
    client.end(true);
    await watcher.endAsync();
  });

  it('delivers nothing a client publishes after its token expired', async () => {
    let skewMs = 0;
    broker = await startBroker({ secret: SECRET, now: () => Date.now() + skewMs });
    const [alice, bob, carol] = [`alice-${nanoid(6)}`, `bob-${nanoid(6)}`, `carol-${nanoid(6)}`];
    const receiver = await rawClient(broker.tcpUrl!, bob, createToken(bob, SECRET, 600));
    await receiver.subscribeAsync(topics.inboxFilter(bob), { qos: 1 });
    const seen: string[] = [];
    receiver.on('message', (_topic, payload) => seen.push(payload.toString()));
    const sender = await rawClient(broker.tcpUrl!, alice, createToken(alice, SECRET, 60));
    const before = invite(alice, bob);
    expect(await publishReason(sender, topics.inbox(bob, alice), encodeEnvelope(before))).toBe(0);

    // The broker's clock passes Alice's expiry before its disconnect timer (armed on the real clock) fires.
    skewMs = 120_000;
    const after = invite(alice, bob);
    expect(await publishReason(sender, topics.inbox(bob, alice), encodeEnvelope(after))).toBe(NOT_AUTHORIZED);
    // Carol's token is fresh on the skewed clock: her invite arrives, and Alice's refused one never did.
    const other = await rawClient(
      broker.tcpUrl!,
      carol,
      createToken(carol, SECRET, 600, Date.now() + skewMs),
    );
    const last = invite(carol, bob);
    const arrived = nextMessage(receiver, last.id);
    expect(await publishReason(other, topics.inbox(bob, carol), encodeEnvelope(last))).toBe(0);
    await arrived;
    await sleep(0);
    expect(seen.filter((text) => text.includes(after.id))).toEqual([]);
    expect(seen.some((text) => text.includes(before.id))).toBe(true);
    await Promise.all([receiver.endAsync(), sender.endAsync(), other.endAsync()]);
  });
});
