// Two real phones (werift peers in Node) calling each other over MQTT: on the embedded broker and on
// mosquitto, including a broker restart in the middle of a call.
import type { MqttTransport, MqttTransportOptions } from '@handset/adapter-mqtt';
import { createTopicLayout } from '@handset/adapter-mqtt';
import { type CallState, createPhone, type Phone, type PhoneEvent } from '@handset/core';
import { waitOpen } from '@handset/core/testing';
import {
  createWeriftGetUserMedia,
  createWeriftPeerConnectionFactory,
  type WeriftPeerConnectionFactory,
  waitForRemoteMedia,
} from '@handset/test-support';
import { nanoid } from 'nanoid';
import { filter, firstValueFrom, timeout } from 'rxjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedHarness, startEmbeddedHarness } from './support/embedded-broker.js';
import { statusReached } from './support/frames.js';
import { type Mosquitto, mosquittoHarness, startMosquitto } from './support/mosquitto.js';
import { rawClient } from './support/raw-client.js';

const WAIT_MS = 20_000;
const AUDIO_ONLY = { audio: true, video: false };

interface Rig {
  connect(userId: string, extra?: Partial<MqttTransportOptions>): Promise<MqttTransport>;
  restartBroker(): Promise<void>;
  /** A bare client logged in as `userId`, for hostile publishes (mosquitto only). */
  url: string;
  password?(userId: string): Promise<string>;
  close(): Promise<void>;
}

const rigs: { name: string; start(): Promise<Rig> }[] = [
  {
    name: 'the embedded broker',
    async start() {
      const harness: EmbeddedHarness = await startEmbeddedHarness('tcp');
      return {
        connect: harness.connect,
        restartBroker: harness.restartBroker,
        url: harness.broker.tcpUrl!,
        close: harness.close,
      };
    },
  },
  {
    name: 'mosquitto',
    async start() {
      const mosquitto: Mosquitto = await startMosquitto();
      const harness = mosquittoHarness(mosquitto, 'tcp');
      return {
        connect: harness.connect,
        restartBroker: mosquitto.restart,
        url: mosquitto.tcpUrl,
        password: (userId) => mosquitto.addUser(userId),
        async close() {
          await harness.close();
          await mosquitto.stop();
        },
      };
    },
  },
];

interface Side {
  phone: Phone;
  transport: MqttTransport;
  pcs: WeriftPeerConnectionFactory;
  events: PhoneEvent[];
}

const reach = (side: Side, state: CallState) =>
  firstValueFrom(
    side.phone.call$.pipe(
      filter((call) => call.state === state),
      timeout(WAIT_MS),
    ),
  );

for (const kind of rigs) {
  describe(`two phones calling over ${kind.name}`, () => {
    let rig: Rig;
    const sides: Side[] = [];
    beforeAll(async () => {
      rig = await kind.start();
    });
    afterEach(async () => {
      for (const side of sides.splice(0)) {
        side.phone.dispose();
        side.transport.close();
        await side.pcs.closeAll();
      }
    });
    afterAll(() => rig?.close());

    async function side(userId: string): Promise<Side> {
      const transport = await rig.connect(userId);
      const pcs = createWeriftPeerConnectionFactory();
      const phone = createPhone({
        userId,
        transport,
        peerConnectionFactory: pcs,
        getUserMedia: createWeriftGetUserMedia(),
        iceServers: [],
      });
      const events: PhoneEvent[] = [];
      phone.events$.subscribe((event) => events.push(event));
      const made = { phone, transport, pcs, events };
      sides.push(made);
      await waitOpen(transport);
      return made;
    }

    async function connectedCall(): Promise<[Side, Side]> {
      const suffix = nanoid(6);
      const [alice, bob] = [await side(`alice-${suffix}`), await side(`bob-${suffix}`)];
      const incoming = reach(bob, 'incoming');
      alice.phone.makeCall(bob.phone.userId, AUDIO_ONLY);
      await incoming;
      bob.phone.answerCall();
      await Promise.all([reach(alice, 'connected'), reach(bob, 'connected')]);
      return [alice, bob];
    }

    const mediaFlows = async (side: Side) => {
      const remote = (await reach(side, 'connected')).remoteStream;
      expect(remote).not.toBeNull();
      return waitForRemoteMedia(remote!, { packets: 5, timeoutMs: WAIT_MS, kinds: ['audio'] });
    };

    it('completes a real call with media both ways, then hangs up', async () => {
      const [alice, bob] = await connectedCall();
      await Promise.all([mediaFlows(alice), mediaFlows(bob)]);
      const bobEnded = reach(bob, 'ended');
      alice.phone.hangupCall();
      expect((await reach(alice, 'ended')).endReason).toEqual({ code: 'hangup', by: 'local' });
      expect((await bobEnded).endReason).toEqual({ code: 'hangup', by: 'remote' });
    });

    it('ends a call to a user who is not connected as unavailable, without waiting for a timeout', async () => {
      const alice = await side(`alice-${nanoid(6)}`);
      alice.phone.makeCall(`nobody-${nanoid(6)}`, AUDIO_ONLY);
      expect((await reach(alice, 'ended')).endReason).toMatchObject({ code: 'unavailable' });
    });

    it('keeps the call through a broker restart, and can still hang it up', async () => {
      const [alice, bob] = await connectedCall();
      const reconnected = [alice, bob].map(async (side) => {
        await statusReached(side.transport, 'reconnecting');
        await statusReached(side.transport, 'open');
      });
      await rig.restartBroker();
      await Promise.all(reconnected);
      expect(alice.events).toContainEqual({ type: 'transport-status', status: 'reconnecting' });
      // The link came back: the call restarts ICE at once (it may be on a new network), then is connected again.
      await Promise.all([reach(alice, 'connected'), reach(bob, 'connected')]);
      await Promise.all([mediaFlows(alice), mediaFlows(bob)]);
      const aliceEnded = reach(alice, 'ended');
      bob.phone.hangupCall();
      expect((await aliceEnded).endReason).toEqual({ code: 'hangup', by: 'remote' });
    });

    if (kind.name === 'mosquitto') {
      it('reports a non-protocol payload on the inbox as a protocol error and changes no call', async () => {
        const [alice, bob] = await connectedCall();
        const mallory = `mallory-${nanoid(6)}`;
        const attacker = await rawClient(rig.url, mallory, await rig.password!(mallory));
        const reported = firstValueFrom(
          bob.phone.events$.pipe(
            filter((event) => event.type === 'protocol-error'),
            timeout(WAIT_MS),
          ),
        );
        const inbox = createTopicLayout().inbox(bob.phone.userId, mallory);
        for (const junk of ['not json', '{"v":1,"type":"hangup"}', '{"v":2}']) {
          await attacker.publishAsync(inbox, junk, { qos: 1 });
        }
        expect(await reported).toMatchObject({ type: 'protocol-error', error: { code: 'malformed-json' } });
        const bobCall = await firstValueFrom(bob.phone.call$);
        const aliceCall = await firstValueFrom(alice.phone.call$);
        expect([bobCall.state, aliceCall.state]).toEqual(['connected', 'connected']);
        await attacker.endAsync();
      });
    }
  });
}
