// The client transport against the real server, through a proxy the tests can cut or freeze.
import { decodeEnvelope, type TransportStatus } from '@handset/core';
import { firstValueFrom, toArray } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { SignalServer } from '../src/server/index.js';
import { createToken } from '../src/server/index.js';
import { createWsTransport, type WsTransport } from '../src/ws-transport.js';
import { connectTransport, ringing, SECRET, startTestServer, waitFor } from './support/harness.js';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(limits = {}) {
  const server = await startTestServer({ limits });
  cleanups.push(() => server.close({ drainMs: 100 }));
  const proxy = await startTcpProxy(server.port);
  cleanups.push(() => proxy.close());
  return { server, proxy };
}

function through(proxy: TcpProxy, server: SignalServer, userId: string): WsTransport {
  const t = createWsTransport({
    url: proxy.url,
    token: server.issueToken(userId),
    WebSocket,
    heartbeatIntervalMs: 100,
    heartbeatTimeoutMs: 600,
    reconnectPolicy: { nextRetryDelayMs: () => 50 },
  });
  cleanups.push(() => t.close());
  return t;
}

function direct(server: SignalServer, userId: string): WsTransport {
  const t = connectTransport(server, userId);
  cleanups.push(() => t.close());
  return t;
}

const isOpen = (s: TransportStatus) => s === 'open';
const idOf = (frame: string) => {
  const decoded = decodeEnvelope(frame);
  return decoded.ok ? decoded.envelope.id : null;
};

describe('the WebSocket transport against the real server', () => {
  it('reports a refused token on errors$ and closes without retrying', async () => {
    const { server } = await setup();
    const t = createWsTransport({
      url: server.url,
      token: createToken('alice', 'wrong-secret-0123456789', 60),
      WebSocket,
    });
    const errors = firstValueFrom(t.errors$.pipe(toArray()));
    expect(await firstValueFrom(t.status$.pipe(toArray()))).toEqual(['connecting', 'closed']);
    expect((await errors).map((e) => [e.code, e.reason, e.wireCode, e.permanent])).toEqual([
      ['unauthenticated', 'token-refused', 'token-bad-signature', true],
    ]);
  });

  it('reports an expired token as a refused token whose wire code is token-expired', async () => {
    const { server } = await setup();
    const t = createWsTransport({
      url: server.url,
      token: createToken('alice', SECRET, 1, Date.now() - 10_000),
      WebSocket,
    });
    const errors = firstValueFrom(t.errors$.pipe(toArray()));
    await firstValueFrom(t.status$.pipe(toArray()));
    expect((await errors).map((e) => [e.reason, e.wireCode])).toEqual([['token-refused', 'token-expired']]);
  });

  it('after a cut link, reconnects into the same session and gets what was sent to it meanwhile', async () => {
    const { server, proxy } = await setup();
    const alice = through(proxy, server, 'alice');
    const bob = direct(server, 'bob');
    await Promise.all([waitFor(alice.status$, isOpen), waitFor(bob.status$, isOpen)]);
    const session = alice.sessionId;
    proxy.cut();
    await waitFor(alice.status$, (s) => s === 'reconnecting');
    const sent = ringing('bob', 'alice');
    const arrived = waitFor(alice.incoming$, (f) => idOf(f) === sent.id);
    bob.send(sent);
    await arrived;
    expect(alice.sessionId).toBe(session);
  });

  it('detects a frozen link by heartbeat, and what either side sent during the freeze still arrives', async () => {
    const { server, proxy } = await setup();
    const alice = through(proxy, server, 'alice');
    const bob = direct(server, 'bob');
    await Promise.all([waitFor(alice.status$, isOpen), waitFor(bob.status$, isOpen)]);
    const call = ringing('alice', 'bob');
    const bobGotCall = waitFor(bob.incoming$, (f) => idOf(f) === call.id);
    alice.send(call);
    await bobGotCall;
    proxy.freeze();
    // Bob's reply goes into the frozen link (the server thinks Alice is there); Alice's send too.
    const toAlice = ringing('bob', 'alice', call.callId);
    const toBob = ringing('alice', 'bob', call.callId);
    bob.send(toAlice);
    alice.send(toBob);
    const aliceGot = waitFor(alice.incoming$, (f) => idOf(f) === toAlice.id);
    const bobGot = waitFor(bob.incoming$, (f) => idOf(f) === toBob.id);
    await waitFor(alice.status$, (s) => s === 'reconnecting');
    proxy.thaw();
    await Promise.all([aliceGot, bobGot]);
  });

  it('queues sends while reconnecting and delivers them in order once open', async () => {
    const { server, proxy } = await setup();
    const alice = through(proxy, server, 'alice');
    const bob = direct(server, 'bob');
    await Promise.all([waitFor(alice.status$, isOpen), waitFor(bob.status$, isOpen)]);
    proxy.cut();
    await waitFor(alice.status$, (s) => s === 'reconnecting');
    const sent = Array.from({ length: 10 }, () => ringing('alice', 'bob'));
    const got = firstValueFrom(bob.incoming$.pipe(toArray()));
    for (const e of sent) alice.send(e);
    await waitFor(bob.incoming$, (f) => idOf(f) === sent.at(-1)?.id);
    bob.close();
    expect((await got).map(idOf)).toEqual(sent.map((e) => e.id));
  });

  it('comes back after the server restarts on the same port', async () => {
    const first = await startTestServer();
    const port = first.port;
    const t = createWsTransport({
      url: first.url,
      token: () => createToken('alice', SECRET, 60),
      WebSocket,
      reconnectPolicy: { nextRetryDelayMs: () => 50 },
    });
    cleanups.push(() => t.close());
    await waitFor(t.status$, isOpen);
    await first.close({ drainMs: 500 });
    await waitFor(t.status$, (s) => s === 'reconnecting');
    const second = await startTestServer({ port });
    cleanups.push(() => second.close({ drainMs: 100 }));
    await waitFor(t.status$, isOpen);
    expect(second.health().users).toBe(1);
  });
});
