// What a server says about ICE servers is input from the network: a welcome whose iceServers are malformed
// is still a welcome (the link opens, without them), and a malformed ice-servers frame is dropped, keeping
// the last good set. A scripted server on 127.0.0.1 sends exactly those frames.
import type { IceServerConfig } from '@handset/core';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { createWsTransport, type WsTransport } from '../src/ws-transport.js';
import { waitFor } from './support/harness.js';

const GOOD: IceServerConfig[] = [{ urls: ['turn:127.0.0.1:3478'], username: '1:alice', credential: 'c1' }];
const NEWER: IceServerConfig[] = [{ urls: ['turn:127.0.0.1:3478'], username: '2:alice', credential: 'c2' }];
const welcome = (iceServers: unknown) =>
  JSON.stringify({
    kind: 'welcome',
    userId: 'alice',
    sessionId: 's1',
    resumed: false,
    graceMs: 1000,
    iceServers,
  });

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A server that answers the hello with `frames`, in order. */
async function scriptedServer(frames: string[]): Promise<string> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  server.on('connection', (socket) => {
    socket.once('message', () => {
      for (const frame of frames) socket.send(frame);
    });
  });
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const client of server.clients) client.terminate();
        server.close(() => resolve());
      }),
  );
  return `ws://127.0.0.1:${(server.address() as { port: number }).port}/`;
}

function transportTo(url: string): { transport: WsTransport; seen: IceServerConfig[][] } {
  const transport = createWsTransport({ url, token: 'token', WebSocket, heartbeatTimeoutMs: 60_000 });
  const seen: IceServerConfig[][] = [];
  transport.iceServers$.subscribe((servers) => seen.push(servers));
  cleanups.push(() => transport.close());
  return { transport, seen };
}

const tooMany = Array.from({ length: 9 }, () => GOOD[0]);
const HOSTILE: [string, unknown][] = [
  ['more than 8 servers', tooMany],
  ['a credential that is not a string', [{ urls: 'turn:127.0.0.1', username: 'u', credential: 42 }]],
  ['a url of 513 characters', [{ urls: `turn:${'a'.repeat(508)}` }]],
  ['no urls', [{ username: 'u', credential: 'c' }]],
  ['not an array', { urls: 'turn:127.0.0.1' }],
];

describe('ICE servers from the server', () => {
  it.each(HOSTILE)('a welcome with %s still opens the link, without ICE servers', async (_what, bad) => {
    const { transport, seen } = transportTo(await scriptedServer([welcome(bad)]));
    await waitFor(transport.status$, (s) => s === 'open', 5_000);
    expect(seen).toEqual([]);
  });

  it.each(HOSTILE)('an ice-servers frame with %s is dropped; the last good set stays', async (_what, bad) => {
    const url = await scriptedServer([
      welcome(GOOD),
      JSON.stringify({ kind: 'ice-servers', iceServers: bad }),
      JSON.stringify({ kind: 'ice-servers', iceServers: NEWER }),
    ]);
    const { transport, seen } = transportTo(url);
    await waitFor(transport.status$, (s) => s === 'open', 5_000);
    await expect.poll(() => seen.length).toBe(2);
    expect(seen).toEqual([GOOD, NEWER]);
    expect(transport.status).toBe('open');
  });
});
