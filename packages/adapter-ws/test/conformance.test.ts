import type { SignalingTransport } from '@handset/core';
import { describeRefusedCredentials, describeSignalingTransport } from '@handset/core/conformance';
import { afterAll, beforeAll } from 'vitest';
import { createToken, type SignalServer } from '../src/server/index.js';
import { connectTransport, startTestServer } from './support/harness.js';

let server: SignalServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

describeSignalingTransport('the WebSocket transport against the real signaling server', async () => {
  const transports: SignalingTransport[] = [];
  return {
    async connect(userId) {
      const transport = connectTransport(server, userId);
      transports.push(transport);
      return transport;
    },
    async close() {
      for (const transport of transports) transport.close();
    },
  };
});

describeRefusedCredentials('the WebSocket transport against the real signaling server', async () => {
  const transports: SignalingTransport[] = [];
  return {
    async connectRefused(userId) {
      const transport = connectTransport(server, userId, {
        token: createToken(userId, 'another-secret-0123456789abc', 60),
      });
      transports.push(transport);
      return transport;
    },
    async close() {
      for (const transport of transports) transport.close();
    },
  };
});
