// Calls forced through a real coturn over MQTT: the embedded broker hands each connection fresh TURN
// credentials on its own ice topic (and again before they expire); werift phones use them with relay-only
// policy and no app code. Mosquitto-style deployments pass a function instead (a token service).
import type { MqttTransport } from '@handset/adapter-mqtt';
import { createTopicLayout } from '@handset/adapter-mqtt';
import { createToken, turnCredentials } from '@handset/adapter-mqtt/broker';
import { type CallState, createPhone, type IceServerConfig, type Phone } from '@handset/core';
import { waitOpen } from '@handset/core/testing';
import {
  createWeriftGetUserMedia,
  createWeriftPeerConnectionFactory,
  hasTurnServer,
  startTurnServer,
  type TurnServer,
  waitForRemoteMedia,
} from '@handset/test-support';
import { nanoid } from 'nanoid';
import { filter, firstValueFrom, timeout } from 'rxjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedHarness, SECRET, startEmbeddedHarness } from './support/embedded-broker.js';
import { statusReached } from './support/frames.js';
import { mosquittoHarness, startMosquitto } from './support/mosquitto.js';
import { publishReason, rawClient, subscribeReason } from './support/raw-client.js';

const WAIT_MS = 20_000;
const topics = createTopicLayout();

let turn: TurnServer;
beforeAll(async () => {
  // The project's test command installs coturn (scripts/ensure-tools.sh): its absence is a failure.
  expect(await hasTurnServer()).toBe(true);
  turn = await startTurnServer();
});
afterAll(async () => {
  await turn?.stop();
});

const factory = createWeriftPeerConnectionFactory();
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await factory.closeAll();
});

interface Logged {
  level: string;
  event: string;
  fields: unknown;
}

async function broker(refreshEveryMs?: number): Promise<{ harness: EmbeddedHarness; logs: Logged[] }> {
  const logs: Logged[] = [];
  const harness = await startEmbeddedHarness('tcp', {
    turn: { urls: [turn.url], secret: turn.secret, ...(refreshEveryMs ? { refreshEveryMs } : {}) },
    logger: (level, event, fields) => logs.push({ level, event, fields }),
  });
  cleanups.push(() => harness.close());
  return { harness, logs };
}

function relayPhone(transport: MqttTransport): Phone {
  const phone = createPhone({
    userId: transport.userId,
    transport,
    peerConnectionFactory: factory,
    getUserMedia: createWeriftGetUserMedia(),
    iceTransportPolicy: 'relay',
  });
  cleanups.push(() => phone.dispose());
  return phone;
}

const reach = (phone: Phone, state: CallState) =>
  firstValueFrom(
    phone.call$.pipe(
      filter((call) => call.state === state),
      timeout(WAIT_MS),
    ),
  );

/** Candidate types (`host`, `srflx`, `relay`) in the lines of an SDP. */
function candidateTypes(sdp: string | undefined): string[] {
  return [...(sdp ?? '').matchAll(/^a=candidate:.* typ (\w+)/gm)].map((m) => m[1] ?? '');
}

/** Alice calls Bob, both relay-only; returns once media flows, having checked every candidate is relayed. */
async function relayCall(aliceLink: MqttTransport, bobLink: MqttTransport): Promise<void> {
  const alice = relayPhone(aliceLink);
  const bob = relayPhone(bobLink);
  await Promise.all([waitOpen(aliceLink), waitOpen(bobLink)]);
  const incoming = reach(bob, 'incoming');
  alice.makeCall(bob.userId, { audio: true, video: false });
  await incoming;
  bob.answerCall();
  const [, calleeView] = await Promise.all([reach(alice, 'connected'), reach(bob, 'connected')]);
  await waitForRemoteMedia(calleeView.remoteStream!, { packets: 5, timeoutMs: WAIT_MS });
  const [aliceConnection, bobConnection] = factory.connections.slice(-2);
  for (const [pc, userId] of [
    [aliceConnection, alice.userId],
    [bobConnection, bob.userId],
  ] as const) {
    const config = pc!.raw.config;
    expect(config.iceTransportPolicy).toBe('relay');
    expect(config.iceServers[0]?.username).toMatch(new RegExp(`^\\d+:${userId}$`));
    const local = candidateTypes(pc!.raw.localDescription?.sdp);
    const remote = candidateTypes(pc!.raw.remoteDescription?.sdp);
    // werift puts its gathered candidates in the description: all of them relayed.
    expect(local.length + remote.length).toBeGreaterThan(0);
    expect(new Set([...local, ...remote])).toEqual(new Set(['relay']));
  }
  // The pair in use is relay on both ends.
  const pair = aliceConnection!.raw.iceTransports[0]?.connection.nominated;
  expect(pair?.localCandidate.type).toBe('relay');
  expect(pair?.remoteCandidate.type).toBe('relay');
}

describe('calls through coturn over the embedded broker', () => {
  it('two werift phones with relay only connect with the broker-issued credentials, relay candidates only', async () => {
    const { harness } = await broker();
    const suffix = nanoid(6);
    const [aliceLink, bobLink] = await Promise.all([
      harness.connect(`alice-${suffix}`),
      harness.connect(`bob-${suffix}`),
    ]);
    const [servers] = await Promise.all([
      firstValueFrom(aliceLink.iceServers$.pipe(timeout(WAIT_MS))),
      firstValueFrom(bobLink.iceServers$.pipe(timeout(WAIT_MS))),
    ]);
    expect(servers?.[0]?.urls).toEqual([turn.url]);
    await relayCall(aliceLink, bobLink);
  });

  it('never puts the credential or the secret in a log, on the broker or on the transport', async () => {
    const { harness, logs } = await broker();
    const clientLog: Logged[] = [];
    const transport = await harness.connect(`carol-${nanoid(6)}`, {
      logger: (level, event, fields) => clientLog.push({ level, event, fields }),
    });
    const [servers] = await firstValueFrom(transport.iceServers$.pipe(timeout(WAIT_MS)));
    expect(servers?.credential).toBeTruthy();
    const logged = JSON.stringify([logs, clientLog]);
    expect(logged).toContain('client-authenticated');
    expect(logged).toContain('ice-servers-sent');
    expect(logged).not.toContain(servers!.credential!);
    expect(logged).not.toContain(turn.secret);
  });

  it('sends a fresh set before the last expires', async () => {
    const { harness } = await broker(300);
    const transport = await harness.connect(`dave-${nanoid(6)}`);
    const issued = new Set<string>();
    const sets = transport.iceServers$.subscribe((servers) => issued.add(servers[0]?.credential ?? ''));
    cleanups.push(() => sets.unsubscribe());
    // Credentials carry their expiry in whole seconds: a later second gives a different credential.
    await expect.poll(() => issued.size, { timeout: 10_000, interval: 50 }).toBeGreaterThan(1);
  });

  it('hands a reconnected connection a fresh set at once', async () => {
    const { harness } = await broker();
    const transport = await harness.connect(`hank-${nanoid(6)}`);
    let sets = 0;
    const counting = transport.iceServers$.subscribe(() => {
      sets += 1;
    });
    cleanups.push(() => counting.unsubscribe());
    await waitOpen(transport);
    await expect.poll(() => sets, { timeout: WAIT_MS }).toBe(1);
    const back = statusReached(transport, 'reconnecting').then(() => statusReached(transport, 'open'));
    harness.dropConnection(transport.clientId);
    await back;
    await expect.poll(() => sets, { timeout: WAIT_MS }).toBe(2);
  });

  it('stops refreshing a connection that left', async () => {
    const { harness, logs } = await broker(200);
    const transport = await harness.connect(`ivy-${nanoid(6)}`);
    const sent = () => logs.filter((entry) => entry.event === 'ice-servers-sent').length;
    await expect.poll(sent, { timeout: WAIT_MS }).toBeGreaterThanOrEqual(2);
    transport.close();
    await transport.ended;
    // The broker has let the connection go (its timers with it).
    await expect.poll(() => harness.broker.aedes.connectedClients, { timeout: WAIT_MS }).toBe(0);
    const atClose = sent();
    // Five refresh periods with nobody there: a timer left running would have sent again.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(sent()).toBe(atClose);
  });

  it('drops a malformed set from the ice topic with a log line and keeps the last good one', async () => {
    const { harness } = await broker();
    const clientLog: Logged[] = [];
    const transport = await harness.connect(`erin-${nanoid(6)}`, {
      logger: (level, event, fields) => clientLog.push({ level, event, fields }),
    });
    const good = await firstValueFrom(transport.iceServers$.pipe(timeout(WAIT_MS)));
    const topic = topics.ice(transport.userId, transport.clientId);
    const junk = [
      'not json',
      '{"urls":"turn:x"}',
      '[{"urls":[]}]',
      '[{"urls":"turn:x","credential":7}]',
      `[{"urls":"turn:${'x'.repeat(600)}"}]`,
      JSON.stringify(Array.from({ length: 9 }, () => ({ urls: 'turn:x' }))),
    ];
    for (const payload of junk) {
      await new Promise<void>((resolve, reject) =>
        harness.broker.aedes.publish(
          { cmd: 'publish', topic, payload: Buffer.from(payload), qos: 1, retain: false, dup: false },
          (error) => (error ? reject(error) : resolve()),
        ),
      );
    }
    await expect
      .poll(() => clientLog.filter((entry) => entry.event === 'ice-servers-dropped').length, {
        timeout: 10_000,
      })
      .toBe(junk.length);
    expect(await firstValueFrom(transport.iceServers$)).toEqual(good);
  });
});

describe('the ice topic ACL', () => {
  it('lets no client read another connection’s ice topic, nor publish on any ice topic', async () => {
    const { harness, logs } = await broker();
    const victim = await harness.connect(`frank-${nanoid(6)}`);
    await waitOpen(victim);
    const mallory = `mallory-${nanoid(6)}`;
    const attacker = await rawClient(harness.broker.tcpUrl!, mallory, createToken(mallory, SECRET, 600));
    cleanups.push(() => attacker.endAsync());
    // Another user's connection, a wildcard over it, and another device of the same user (the victim's name).
    const sameUser = await rawClient(
      harness.broker.tcpUrl!,
      victim.userId,
      createToken(victim.userId, SECRET, 600),
    );
    cleanups.push(() => sameUser.endAsync());
    expect(await subscribeReason(attacker, topics.ice(victim.userId, victim.clientId))).toBe(0x87);
    expect(await subscribeReason(attacker, `${topics.prefix}/u/${victim.userId}/ice/+`)).toBe(0x87);
    expect(await subscribeReason(sameUser, topics.ice(victim.userId, victim.clientId))).toBe(0x87);
    // Nobody but the broker publishes ICE servers, not even to its own topic.
    const forged = JSON.stringify([{ urls: 'turn:evil.example:3478', username: 'x', credential: 'y' }]);
    expect(await publishReason(attacker, topics.ice(victim.userId, victim.clientId), forged)).toBe(0x87);
    expect(await publishReason(sameUser, topics.ice(victim.userId, sameUser.options.clientId!), forged)).toBe(
      0x87,
    );
    const refusals = logs.filter((entry) => entry.event === 'publish-refused').map((entry) => entry.fields);
    expect(refusals).toEqual([
      expect.objectContaining({ code: 'topic-not-allowed', reason: 'only the broker publishes ICE servers' }),
      expect.objectContaining({ code: 'topic-not-allowed', reason: 'only the broker publishes ICE servers' }),
    ]);
  });
});

describe('ICE servers from a function (mosquitto next to a token service)', () => {
  it('offers what the function returns, on a broker without turn, without subscribing to the ice topic', async () => {
    const logs: Logged[] = [];
    const harness = await startEmbeddedHarness('tcp', {
      logger: (level, event, fields) => logs.push({ level, event, fields }),
    });
    cleanups.push(() => harness.close());
    const userId = `gina-${nanoid(6)}`;
    let calls = 0;
    const source = async (): Promise<IceServerConfig[]> => {
      calls += 1;
      return turnCredentials({ secret: turn.secret, userId, ttlSeconds: 600, urls: [turn.url] });
    };
    const transport = await harness.connect(userId, { iceServers: source });
    const [servers] = await firstValueFrom(transport.iceServers$.pipe(timeout(WAIT_MS)));
    expect(servers?.username).toMatch(new RegExp(`^\\d+:${userId}$`));
    expect(calls).toBe(1);
    await waitOpen(transport);
    expect(JSON.stringify(logs)).not.toContain('/ice/');
  });
});

describe('calls through coturn over mosquitto (shipped config) with a token service', () => {
  it('two werift phones with relay only connect with credentials from the iceServers function', async () => {
    const mosquitto = await startMosquitto();
    const harness = mosquittoHarness(mosquitto, 'tcp');
    cleanups.push(async () => {
      await harness.close();
      await mosquitto.stop();
    });
    // What a token service next to mosquitto would answer: the relay's shared secret, the user's own id.
    const tokenService = (userId: string) => async () =>
      turnCredentials({ secret: turn.secret, userId, ttlSeconds: 600, urls: [turn.url] });
    const suffix = nanoid(6);
    const [alice, bob] = [`alice-${suffix}`, `bob-${suffix}`];
    const [aliceLink, bobLink] = await Promise.all([
      harness.connect(alice, { iceServers: tokenService(alice) }),
      harness.connect(bob, { iceServers: tokenService(bob) }),
    ]);
    await relayCall(aliceLink, bobLink);
  });
});
