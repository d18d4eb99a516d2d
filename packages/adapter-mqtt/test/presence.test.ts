// Presence on both brokers: who is answered `unavailable`, and who is not.
import type { MqttTransport, MqttTransportOptions } from '@handset/adapter-mqtt';
import { ringingFrom, waitOpen } from '@handset/core/testing';
import { nanoid } from 'nanoid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedHarness } from './support/embedded-broker.js';
import { invite, nextEnvelope } from './support/frames.js';
import { mosquittoHarness, startMosquitto } from './support/mosquitto.js';

interface Rig {
  connect(userId: string, extra?: Partial<MqttTransportOptions>): Promise<MqttTransport>;
  close(): Promise<void>;
}

const rigs: { name: string; start(): Promise<Rig> }[] = [
  { name: 'the embedded broker', start: () => startEmbeddedHarness('tcp') },
  {
    name: 'mosquitto',
    async start() {
      const mosquitto = await startMosquitto();
      const harness = mosquittoHarness(mosquitto, 'tcp');
      return {
        connect: harness.connect,
        async close() {
          await harness.close();
          await mosquitto.stop();
        },
      };
    },
  },
];

for (const kind of rigs) {
  describe(`presence on ${kind.name}`, () => {
    let rig: Rig;
    beforeAll(async () => {
      rig = await kind.start();
    });
    afterAll(() => rig?.close());
    const users = () => {
      const suffix = nanoid(6);
      return { alice: `alice-${suffix}`, bob: `bob-${suffix}`, nobody: `nobody-${suffix}` };
    };

    it('delivers an invite to an online user and does not answer it `unavailable`', async () => {
      const { alice, bob, nobody } = users();
      const [aliceTransport, bobTransport] = [await rig.connect(alice), await rig.connect(bob)];
      await Promise.all([waitOpen(aliceTransport), waitOpen(bobTransport)]);
      const sent = invite(alice, bob);
      const delivered = nextEnvelope(bobTransport);
      const firstReply = nextEnvelope(aliceTransport);
      aliceTransport.send(sent);
      // Sent after the invite: had Bob been taken for offline, that answer would come first.
      const probe = ringingFrom(alice, nobody);
      aliceTransport.send(probe);
      expect(await delivered).toMatchObject({ type: 'invite', callId: sent.callId });
      expect(await firstReply).toMatchObject({ type: 'unavailable', callId: probe.callId });
    });

    it('answers `unavailable` to an invite for a user who closed its transport', async () => {
      const { alice, bob } = users();
      const bobTransport = await rig.connect(bob);
      await waitOpen(bobTransport);
      bobTransport.close();
      await bobTransport.ended;
      const aliceTransport = await rig.connect(alice);
      await waitOpen(aliceTransport);
      const sent = invite(alice, bob);
      const reply = nextEnvelope(aliceTransport);
      aliceTransport.send(sent);
      expect(await reply).toMatchObject({
        type: 'unavailable',
        callId: sent.callId,
        from: bob,
        fromDevice: 'broker',
      });
    });

    it('still reaches a user on another device when one of its devices leaves', async () => {
      const { alice, bob } = users();
      const [aliceTransport, bobPhone, bobLaptop] = [
        await rig.connect(alice),
        await rig.connect(bob),
        await rig.connect(bob),
      ];
      await Promise.all([waitOpen(aliceTransport), waitOpen(bobPhone), waitOpen(bobLaptop)]);
      bobPhone.close();
      await bobPhone.ended;
      const sent = invite(alice, bob);
      const delivered = nextEnvelope(bobLaptop);
      aliceTransport.send(sent);
      expect(await delivered).toMatchObject({ type: 'invite', callId: sent.callId });
    });
  });
}
