import { createToken } from '@handset/adapter-mqtt/broker';
import { describeRefusedCredentials, describeSignalingTransport } from '@handset/core/conformance';
import { startEmbeddedHarness } from './support/embedded-broker.js';

describeSignalingTransport('MQTT transport on the embedded broker over TCP', () =>
  startEmbeddedHarness('tcp'),
);
describeSignalingTransport('MQTT transport on the embedded broker over WebSocket', () =>
  startEmbeddedHarness('ws'),
);

describeRefusedCredentials('MQTT transport on the embedded broker', async () => {
  const harness = await startEmbeddedHarness('tcp');
  return {
    connectRefused: (userId) =>
      harness.connect(userId, { token: createToken(userId, 'another-secret-0123456789abc', 60) }),
    close: () => harness.close(),
  };
});
