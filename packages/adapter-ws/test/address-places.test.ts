// An address's places under maxConnectionsPerAddress are freed when its connections close, however they
// got there: logged in (the connection's ticket frees it) or never upgraded (the TCP socket's close does).
import { afterEach, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import type { SignalServer } from '../src/server/index.js';
import { type AddressedClient, holdSockets, loginFrom, tryOpen } from './support/front-door.js';
import { startTestServer } from './support/harness.js';

let server: SignalServer;
const open: WebSocket[] = [];

afterEach(async () => {
  for (const socket of open.splice(0)) socket.terminate();
  await server?.close({ drainMs: 100 });
});

async function loginAs(userId: string): Promise<AddressedClient> {
  const client = await loginFrom(server.url, server.issueToken(userId), '127.0.0.2');
  open.push(client.socket);
  await client.next((frame) => frame.kind === 'welcome');
  return client;
}

describe("an address's connection places", () => {
  it('are given back when logged-in connections close, again and again', async () => {
    server = await startTestServer({ limits: { maxConnectionsPerAddress: 3, addressConnectBurst: 1_000 } });
    for (let round = 0; round < 3; round += 1) {
      const clients = [await loginAs(`a${round}`), await loginAs(`b${round}`), await loginAs(`c${round}`)];
      // The address is full: a fourth is cut before its upgrade.
      expect((await tryOpen(server.url, { localAddress: '127.0.0.2' })).ok).toBe(false);
      for (const client of clients) client.socket.terminate();
      await Promise.all(clients.map((client) => client.closed));
      // The server hears the closes after the client does: wait for a place rather than race it.
      let attempt = await tryOpen(server.url, { localAddress: '127.0.0.2' });
      for (let tries = 0; !attempt.ok && tries < 50; tries += 1) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        attempt = await tryOpen(server.url, { localAddress: '127.0.0.2' });
      }
      expect(attempt.ok).toBe(true);
      if (attempt.ok) {
        attempt.socket.terminate();
        await attempt.closed;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });

  it('are given back when sockets that never upgraded close', async () => {
    server = await startTestServer({ limits: { maxConnectionsPerAddress: 3, addressConnectBurst: 1_000 } });
    const held = await holdSockets(3, server.port, () => '127.0.0.2');
    for (const socket of held) socket.socket.destroy();
    await Promise.all(held.map((socket) => socket.closed));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await loginAs('alice')).frames.some((frame) => frame.kind === 'welcome')).toBe(true);
  });
});
