// The embedded broker's WebSocket listener checks the browser Origin as the signaling server does: a page
// on another site gets HTTP 403 before any MQTT; an allowed page, and a client sending no Origin, connect.
import { createToken, type HandsetBroker, startBroker } from '@handset/adapter-mqtt/broker';
import { connectAsync } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { SECRET } from './support/embedded-broker.js';
import { upgradeStatus } from './support/upgrade.js';

let broker: HandsetBroker | null = null;

afterEach(async () => {
  await broker?.close();
  broker = null;
});

/** Logs in over MQTT-over-WebSocket as a page at `origin` would; resolves once the broker's CONNACK came. */
async function mqttFrom(url: string, userId: string, origin: string): Promise<void> {
  const client = await connectAsync(url, {
    protocolVersion: 5,
    username: userId,
    password: createToken(userId, SECRET, 60),
    clientId: `${userId}:origin${Math.random().toString(36).slice(2, 8)}`,
    reconnectPeriod: 0,
    connectTimeout: 5000,
    wsOptions: { origin },
  });
  expect(client.connected).toBe(true);
  await client.endAsync();
}

describe("the embedded broker's WebSocket listener", () => {
  it('answers an upgrade from a foreign Origin with 403, and lets an allowed one log in', async () => {
    broker = await startBroker({ secret: SECRET, port: null, allowedOrigins: ['https://app.example.com'] });
    const url = broker.wsUrl as string;
    expect(await upgradeStatus(url, 'https://evil.example')).toBe(403);
    // A look-alike host is not the allowed one.
    expect(await upgradeStatus(url, 'https://app.example.com.evil.example')).toBe(403);
    await mqttFrom(url, 'alice', 'https://app.example.com');
  });

  it('lets a client with no Origin header through (not a browser)', async () => {
    broker = await startBroker({ secret: SECRET, port: null, allowedOrigins: ['https://app.example.com'] });
    expect(await upgradeStatus(broker.wsUrl as string)).toBe(101);
  });

  it('matches any port with host:*, and lets any origin in with * (the default outside dev mode)', async () => {
    broker = await startBroker({ secret: SECRET, port: null, allowedOrigins: ['http://intranet.example:*'] });
    expect(await upgradeStatus(broker.wsUrl as string, 'http://intranet.example:8443')).toBe(101);
    expect(await upgradeStatus(broker.wsUrl as string, 'http://other.example:8443')).toBe(403);
    await broker.close();
    broker = await startBroker({ secret: SECRET, port: null });
    expect(await upgradeStatus(broker.wsUrl as string, 'https://anywhere.example')).toBe(101);
  });

  it('in dev mode lets only pages served from this machine in by default', async () => {
    broker = await startBroker({ dev: true, port: null });
    const url = broker.wsUrl as string;
    expect(await upgradeStatus(url, 'https://evil.example')).toBe(403);
    expect(await upgradeStatus(url, 'http://localhost:5173')).toBe(101);
    expect(await upgradeStatus(url, 'http://127.0.0.1:8080')).toBe(101);
  });
});
