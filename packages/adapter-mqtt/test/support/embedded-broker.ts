// Test harness: the embedded broker on 127.0.0.1 (port 0) and transports logged in with real tokens.

import { createMqttTransport, type MqttTransport, type MqttTransportOptions } from '@handset/adapter-mqtt';
import {
  type BrokerOptions,
  createToken,
  type HandsetBroker,
  startBroker,
} from '@handset/adapter-mqtt/broker';
import type { TransportHarness } from '@handset/core/conformance';
import type { Client } from 'aedes';
import { nanoid } from 'nanoid';

export const SECRET = 'test-secret-0123456789abcdef';

export interface EmbeddedHarness extends TransportHarness {
  readonly broker: HandsetBroker;
  /** Cuts one client's connection at the broker, as a dead network would (its Last Will fires). */
  dropConnection(clientId: string): void;
  /** Stops the broker and starts a new one on the same port (sessions and retained messages are lost). */
  restartBroker(): Promise<void>;
  connect(userId: string, extra?: Partial<MqttTransportOptions>): Promise<MqttTransport>;
}

/** A fresh client id of the bound form `<userId>:<device>` that both brokers require. */
export const deviceClientId = (userId: string) => `${userId}:${nanoid(10)}`;

/** Fast retries: tests restart brokers and should not wait for the production back-off. */
export const quickRetries = { nextRetryDelayMs: () => 100 };

export async function startEmbeddedHarness(
  wire: 'tcp' | 'ws',
  brokerOptions: Partial<BrokerOptions> = {},
): Promise<EmbeddedHarness> {
  // Every test client comes from 127.0.0.1, so the per-address and pending caps (tested on their own in
  // broker-limits.test.ts) are raised for tests that open hundreds of honest connections.
  const options: Partial<BrokerOptions> = {
    ...brokerOptions,
    limits: { maxConnectionsPerAddress: 10_000, maxPendingConnections: 10_000, ...brokerOptions.limits },
  };
  let broker = await startBroker({ secret: SECRET, ...options });
  const transports: MqttTransport[] = [];
  const url = (wire === 'tcp' ? broker.tcpUrl : broker.wsUrl)!;
  const clients = new Map<string, Client>();
  const track = (aedes: HandsetBroker['aedes']) =>
    aedes.on('client', (client) => clients.set(client.id, client));
  track(broker.aedes);
  return {
    get broker() {
      return broker;
    },
    dropConnection(clientId) {
      clients.get(clientId)?.conn.destroy();
    },
    async restartBroker() {
      const { port, wsPort } = broker;
      await broker.close();
      broker = await startBroker({ secret: SECRET, ...options, port, wsPort });
      track(broker.aedes);
    },
    async connect(userId, extra = {}) {
      const transport = createMqttTransport({
        url,
        userId,
        token: createToken(userId, SECRET, 600),
        clientId: deviceClientId(userId),
        reconnectPolicy: quickRetries,
        ...extra,
      });
      transports.push(transport);
      return transport;
    },
    async close() {
      for (const transport of transports) transport.close();
      await Promise.all(transports.map((t) => t.ended));
      await broker.close();
    },
  };
}
