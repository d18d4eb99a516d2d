// A bare mqtt.js client, to do on the wire what a hostile or foreign client would.
import { connect, connectAsync, type IClientPublishOptions, type MqttClient } from 'mqtt';

export async function rawClient(url: string, username: string, password?: string): Promise<MqttClient> {
  return connectAsync(url, {
    protocolVersion: 5,
    username,
    // Both brokers accept only client ids of the form <user id>:<device>.
    clientId: `${username}:raw${Math.random().toString(36).slice(2, 10)}`,
    ...(password !== undefined ? { password } : {}),
    reconnectPeriod: 0,
    connectTimeout: 5000,
  });
}

/** Publishes at QoS 1 and returns the PUBACK reason code (0 = accepted, 0x87 = not authorized). */
export function publishReason(
  client: MqttClient,
  topic: string,
  payload: string,
  options: IClientPublishOptions = {},
): Promise<number> {
  return new Promise((resolve) => {
    client.publish(topic, payload, { qos: 1, ...options }, (error, packet) => {
      const code = (error as { code?: unknown } | undefined)?.code;
      if (typeof code === 'number') resolve(code);
      else if (error) resolve(-1);
      else resolve((packet as { reasonCode?: number } | undefined)?.reasonCode ?? 0);
    });
  });
}

/** Subscribes and returns the granted code (0-2 granted, >= 0x80 refused). */
export async function subscribeReason(client: MqttClient, topic: string): Promise<number> {
  return new Promise((resolve) => {
    client.subscribe(topic, { qos: 1 }, (_error, grants, suback) => {
      const code = suback?.granted[0];
      resolve(typeof code === 'number' ? code : (grants?.[0]?.qos ?? -1));
    });
  });
}

/** The connection refusal code for these credentials, or 0 if accepted. */
export function connectReason(url: string, username: string, password?: string): Promise<number> {
  // Not connectAsync: when a broker drops the socket before any CONNACK (an admission refusal), mqtt.js
  // closes without an error and connectAsync can wait for ever. A close before `connect` is a refusal too.
  const client = connect(url, {
    protocolVersion: 5,
    username,
    clientId: `${username}:raw${Math.random().toString(36).slice(2, 10)}`,
    ...(password !== undefined ? { password } : {}),
    reconnectPeriod: 0,
    connectTimeout: 5000,
  });
  return new Promise((resolve) => {
    const settle = (code: number) => {
      client.removeAllListeners();
      client.on('error', () => {});
      client.end(true);
      resolve(code);
    };
    client.once('connect', () => settle(0));
    client.once('error', (error) => {
      const code = (error as { code?: unknown }).code;
      settle(typeof code === 'number' ? code : -1);
    });
    client.once('close', () => settle(-1));
  });
}
