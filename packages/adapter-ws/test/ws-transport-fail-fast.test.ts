// Every failure of the WebSocket link ends fast with its real reason (issue 11), against the real server
// and real sockets: refused, expired and foreign tokens, options that cannot work, nothing listening.
import { createServer, type Server } from 'node:http';
import { type AddressInfo, createServer as createNetServer, type Socket } from 'node:net';
import type { TransportError, TransportStatus } from '@handset/core';
import { firstValueFrom, take, toArray } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createToken } from '../src/server/index.js';
import { createWsTransport, type WsTransport, type WsTransportOptions } from '../src/ws-transport.js';
import { SECRET, startTestServer, waitFor } from './support/harness.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A WebSocket constructor that counts the sockets it made. */
function countingSocket() {
  const made: string[] = [];
  class Counting extends WebSocket {
    constructor(url: string) {
      super(url);
      made.push(url);
    }
  }
  return { made, Counting };
}

function transport(options: Partial<WsTransportOptions> & Pick<WsTransportOptions, 'url' | 'token'>) {
  const t: WsTransport = createWsTransport({
    WebSocket,
    reconnectPolicy: { nextRetryDelayMs: () => 50 },
    ...options,
  });
  cleanups.push(() => t.close());
  return t;
}

/** Every status and error until the transport closes (bounded by vitest's own timeout). */
async function untilClosed(
  t: WsTransport,
): Promise<{ statuses: TransportStatus[]; errors: TransportError[] }> {
  const [statuses, errors] = await Promise.all([
    firstValueFrom(t.status$.pipe(toArray())),
    firstValueFrom(t.errors$.pipe(toArray())),
  ]);
  return { statuses, errors };
}

const summary = (e: TransportError) => [e.code, e.reason, e.permanent];

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  return `ws://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

describe('the WebSocket transport fails fast, with the real reason', () => {
  it('closes with a permanent invalid-configuration for a url that is not a URL, without a socket', async () => {
    const { made, Counting } = countingSocket();
    const t = transport({ url: 'not a url', token: 'x', WebSocket: Counting });
    const { statuses, errors } = await untilClosed(t);
    expect(statuses).toEqual(['connecting', 'closed']);
    expect(errors.map(summary)).toEqual([['transport', 'invalid-configuration', true]]);
    expect(made).toEqual([]);
  });

  it('closes with a permanent invalid-configuration for an empty token, without a socket', async () => {
    const server = await startTestServer();
    cleanups.push(() => server.close({ drainMs: 100 }));
    const { made, Counting } = countingSocket();
    const t = transport({ url: server.url, token: '', WebSocket: Counting });
    const { statuses, errors } = await untilClosed(t);
    expect(statuses).toEqual(['connecting', 'closed']);
    expect(errors.map(summary)).toEqual([['transport', 'invalid-configuration', true]]);
    expect(made).toEqual([]);
  });

  it('closes with a permanent invalid-configuration for a userId that cannot be an id', async () => {
    const server = await startTestServer();
    cleanups.push(() => server.close({ drainMs: 100 }));
    const t = transport({ url: server.url, token: server.issueToken('alice'), userId: 'a b' });
    expect((await untilClosed(t)).errors.map(summary)).toEqual([
      ['transport', 'invalid-configuration', true],
    ]);
  });

  it('reports connect-failed at the first failed attempt when nothing listens, and keeps retrying', async () => {
    const probe = createServer();
    const url = await listen(probe);
    await new Promise((resolve) => probe.close(resolve));
    const { made, Counting } = countingSocket();
    const t = transport({ url, token: 'x', WebSocket: Counting });
    const started = Date.now();
    const error = await waitFor(t.errors$, () => true, 3_000);
    expect(summary(error)).toEqual(['transport', 'connect-failed', false]);
    expect(Date.now() - started).toBeLessThan(3_000);
    await waitFor(t.status$, () => true);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(made.length).toBeGreaterThan(1);
    expect(await firstValueFrom(t.status$)).toBe('connecting');
  });

  it('reports connect-failed at the first attempt against an HTTP server that is not a signaling server', async () => {
    const url = await listen(createServer((_, res) => res.writeHead(404).end('not here')));
    const t = transport({ url, token: 'x' });
    const error = await waitFor(t.errors$, () => true, 3_000);
    expect(summary(error)).toEqual(['transport', 'connect-failed', false]);
    expect(await firstValueFrom(t.status$)).not.toBe('closed');
  });

  it('reports connect-failed when a server accepts the connection and never answers, and keeps retrying', async () => {
    const sockets = new Set<Socket>();
    const silent = createNetServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    cleanups.push(
      () =>
        new Promise((resolve) => {
          for (const socket of sockets) socket.destroy();
          silent.close(resolve);
        }),
    );
    const { made, Counting } = countingSocket();
    const t = transport({
      url: `ws://127.0.0.1:${(silent.address() as AddressInfo).port}/`,
      token: 'x',
      WebSocket: Counting,
      connectTimeoutMs: 200,
    });
    const errors = firstValueFrom(t.errors$.pipe(take(2), toArray()));
    expect((await errors).map(summary)).toEqual([
      ['transport', 'connect-failed', false],
      ['transport', 'connect-failed', false],
    ]);
    expect(made.length).toBeGreaterThanOrEqual(2);
    expect(t.status).toBe('connecting');
  });

  it('closes with unauthenticated token-refused for a token signed with another secret, without retrying', async () => {
    const server = await startTestServer();
    cleanups.push(() => server.close({ drainMs: 100 }));
    const { made, Counting } = countingSocket();
    const logged: unknown[] = [];
    const t = transport({
      url: server.url,
      token: createToken('alice', 'another-secret-0123456789abc', 60),
      WebSocket: Counting,
      logger: (level, event, fields) => logged.push([level, event, fields.ns, fields.reason]),
    });
    const { statuses, errors } = await untilClosed(t);
    expect(statuses).toEqual(['connecting', 'closed']);
    expect(errors.map((e) => [...summary(e), e.wireCode])).toEqual([
      ['unauthenticated', 'token-refused', true, 'token-bad-signature'],
    ]);
    expect(made).toHaveLength(1);
    expect(logged).toContainEqual(['error', 'transport-error', 'handset:ws', 'token-refused']);
  });

  it('closes with token-wrong-user when the server welcomes another user than its userId', async () => {
    const server = await startTestServer();
    cleanups.push(() => server.close({ drainMs: 100 }));
    const t = transport({ url: server.url, token: server.issueToken('mallory'), userId: 'alice' });
    const { statuses, errors } = await untilClosed(t);
    expect(statuses).toEqual(['connecting', 'closed']);
    expect(errors.map(summary)).toEqual([['unauthenticated', 'token-wrong-user', true]]);
  });

  it('opens when the token is for its own userId', async () => {
    const server = await startTestServer();
    cleanups.push(() => server.close({ drainMs: 100 }));
    const t = transport({ url: server.url, token: server.issueToken('alice'), userId: 'alice' });
    await waitFor(t.status$, (s) => s === 'open');
  });

  it('when its token expires while open (4003), reconnects at once with a fresh token and resumes its session', async () => {
    const server = await startTestServer();
    cleanups.push(() => server.close({ drainMs: 100 }));
    let asked = 0;
    const t = transport({
      url: server.url,
      token: async () => {
        asked += 1;
        return createToken('alice', SECRET, 1);
      },
      reconnectPolicy: { nextRetryDelayMs: () => 60_000 },
    });
    const statuses = firstValueFrom(t.status$.pipe(toArray()));
    await waitFor(t.status$, (s) => s === 'open');
    const session = t.sessionId;
    await waitFor(t.status$, (s) => s === 'reconnecting', 3_000);
    await waitFor(t.status$, (s) => s === 'open', 3_000);
    expect(asked).toBeGreaterThanOrEqual(2);
    expect(t.sessionId).toBe(session);
    t.close();
    expect((await statuses).slice(0, 4)).toEqual(['connecting', 'open', 'reconnecting', 'open']);
  });

  it('after an expiry, closes for good if the fresh token is refused', async () => {
    const server = await startTestServer();
    cleanups.push(() => server.close({ drainMs: 100 }));
    const tokens = [
      createToken('alice', SECRET, 1),
      createToken('alice', 'another-secret-0123456789abc', 60),
    ];
    const t = transport({ url: server.url, token: () => tokens.shift() ?? 'none' });
    const { statuses, errors } = await untilClosed(t);
    expect(statuses).toEqual(['connecting', 'open', 'reconnecting', 'closed']);
    expect(errors.map(summary)).toEqual([['unauthenticated', 'token-refused', true]]);
  });
});
