// A phone on the real MQTT transport and embedded broker ends a call at once, with the reason that names the
// cause, when its credentials are refused or nothing listens (issue 11).

import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { createMqttTransport, type MqttTransportOptions } from '@handset/adapter-mqtt';
import { createToken, startBroker } from '@handset/adapter-mqtt/broker';
import { createPhone, type EndReason, type Phone } from '@handset/core';
import { createFakeMedia, createFakePeerConnections } from '@handset/core/testing';
import { filter, firstValueFrom, map, timeout } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { quickRetries, SECRET } from './support/embedded-broker.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function phoneOn(options: Omit<MqttTransportOptions, 'userId'>): Phone {
  const transport = createMqttTransport({ userId: 'alice', reconnectPolicy: quickRetries, ...options });
  const phone = createPhone({
    userId: 'alice',
    transport,
    peerConnectionFactory: createFakePeerConnections().factory,
    getUserMedia: createFakeMedia().getUserMedia,
  });
  cleanups.push(async () => {
    phone.dispose();
    transport.close();
    await transport.ended;
  });
  return phone;
}

async function callEnds(phone: Phone): Promise<{ reason: EndReason; ms: number }> {
  await firstValueFrom(
    phone.events$.pipe(
      filter((e) => e.type === 'transport-error'),
      timeout(3_000),
    ),
  );
  const started = Date.now();
  const ended = firstValueFrom(
    phone.events$.pipe(
      filter((e) => e.type === 'call-ended'),
      map((e) => (e as { reason: EndReason }).reason),
      timeout(5_000),
    ),
  );
  phone.makeCall('bob');
  return { reason: await ended, ms: Date.now() - started };
}

describe('a phone on the MQTT transport fails fast', () => {
  it('ends a call `unauthenticated` at once when the broker refuses its token', async () => {
    const broker = await startBroker({ secret: SECRET });
    cleanups.push(() => broker.close());
    const phone = phoneOn({
      url: broker.tcpUrl!,
      token: createToken('alice', 'another-secret-0123456789abc', 60),
    });
    const { reason, ms } = await callEnds(phone);
    expect(reason.code).toBe('unauthenticated');
    expect(ms).toBeLessThan(1_000);
  });

  it('ends a call `signaling-unavailable` at once when nothing listens at its url', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    const phone = phoneOn({ url: `mqtt://127.0.0.1:${port}`, token: 'x' });
    const { reason, ms } = await callEnds(phone);
    expect(reason.code).toBe('signaling-unavailable');
    expect(ms).toBeLessThan(1_000);
  });
});
