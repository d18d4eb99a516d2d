import { describeSignalingTransport } from '@handset/core/testing';
import { startEmbeddedHarness } from './support/embedded-broker.js';

describeSignalingTransport('MQTT transport on the embedded broker over TCP', () =>
  startEmbeddedHarness('tcp'),
);
describeSignalingTransport('MQTT transport on the embedded broker over WebSocket', () =>
  startEmbeddedHarness('ws'),
);
