// A phone on the real WebSocket transport and server ends a call at once, with the reason that names the
// cause, when its link is refused or was never reached (issue 11): the transport's errors$ reach the phone.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createPhone, type EndReason, type Phone } from '@handset/core';
import { createFakeMedia, createFakePeerConnections } from '@handset/core/testing';
import { filter, firstValueFrom, map, timeout } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createToken } from '../src/server/index.js';
import { createWsTransport, type WsTransportOptions } from '../src/ws-transport.js';
import { startTestServer, waitFor } from './support/harness.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function phoneOn(options: Pick<WsTransportOptions, 'url' | 'token'> & Partial<WsTransportOptions>): Phone {
  const transport = createWsTransport({
    WebSocket,
    reconnectPolicy: { nextRetryDelayMs: () => 200 },
    ...options,
  });
  const phone = createPhone({
    userId: 'alice',
    transport,
    peerConnectionFactory: createFakePeerConnections().factory,
    getUserMedia: createFakeMedia().getUserMedia,
  });
  cleanups.push(() => {
    phone.dispose();
    transport.close();
  });
  return phone;
}

/** Calls bob once the phone has heard what its transport has to say, and returns how the call ended. */
async function callEnds(phone: Phone): Promise<{ reason: EndReason; ms: number }> {
  await waitFor(phone.events$, (e) => e.type === 'transport-error', 3_000);
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

describe('a phone on the WebSocket transport fails fast', () => {
  it('ends a call `unauthenticated` at once when its token was signed with another secret', async () => {
    const server = await startTestServer();
    cleanups.push(() => server.close({ drainMs: 100 }));
    const phone = phoneOn({
      url: server.url,
      token: createToken('alice', 'another-secret-0123456789abc', 60),
    });
    const { reason, ms } = await callEnds(phone);
    expect(reason.code).toBe('unauthenticated');
    expect(ms).toBeLessThan(1_000);
  });

  it('ends a call `unauthenticated` at once when the token is for another user', async () => {
    const server = await startTestServer();
    cleanups.push(() => server.close({ drainMs: 100 }));
    const phone = phoneOn({ url: server.url, token: server.issueToken('mallory'), userId: 'alice' });
    const { reason, ms } = await callEnds(phone);
    expect(reason.code).toBe('unauthenticated');
    expect(ms).toBeLessThan(1_000);
  });

  it('ends a call `signaling-unavailable` at once when its url is not a URL', async () => {
    const phone = phoneOn({ url: 'not a url', token: 'x' });
    const { reason, ms } = await callEnds(phone);
    expect(reason.code).toBe('signaling-unavailable');
    expect(ms).toBeLessThan(1_000);
  });

  it('ends a call `signaling-unavailable` at once when the server is an HTTP server that is not a signaling server', async () => {
    const http = createServer((_, res) => res.writeHead(404).end());
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => http.close(resolve)));
    const phone = phoneOn({ url: `ws://127.0.0.1:${(http.address() as AddressInfo).port}/`, token: 'x' });
    const { reason, ms } = await callEnds(phone);
    expect(reason.code).toBe('signaling-unavailable');
    expect(ms).toBeLessThan(1_000);
  });
});
