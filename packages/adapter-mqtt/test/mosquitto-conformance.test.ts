import { describeRefusedCredentials, describeSignalingTransport } from '@handset/core/conformance';
import { afterAll, beforeAll } from 'vitest';
import { type Mosquitto, mosquittoHarness, startMosquitto } from './support/mosquitto.js';

let mosquitto: Mosquitto;
beforeAll(async () => {
  mosquitto = await startMosquitto();
});
afterAll(() => mosquitto?.stop());

describeSignalingTransport('MQTT transport on mosquitto over TCP', async () =>
  mosquittoHarness(mosquitto, 'tcp'),
);
describeSignalingTransport('MQTT transport on mosquitto over WebSocket', async () =>
  mosquittoHarness(mosquitto, 'ws'),
);

describeRefusedCredentials('MQTT transport on mosquitto', async () => {
  const harness = mosquittoHarness(mosquitto, 'tcp');
  return {
    // The harness adds the user with its own password; this transport presents another one.
    connectRefused: (userId) => harness.connect(userId, { token: 'not-the-password' }),
    close: () => harness.close(),
  };
});
