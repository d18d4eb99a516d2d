// Logging in during the WebSocket upgrade: a client that offers its token as a subprotocol is welcomed as
// the socket opens, with no hello round trip; a bad token gets the same typed refusal as in a hello; a
// client that sends a hello (a deployed one) still logs in; and the transport falls back to a hello with a
// server that does not know the offer.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { encodeEnvelope } from '@handset/core';
import { createToken } from '@handset/token';
import { firstValueFrom, toArray } from 'rxjs';
import { afterEach, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { HELLO_PROTOCOL, upgradeProtocols as offered, UPGRADE_AUTH_PROTOCOL } from '../src/control-frames.js';
import { CLOSE_CODES, type SignalServer } from '../src/server/index.js';
import { createWsTransport, type WsTransport } from '../src/ws-transport.js';
import { type RawClient, rawClient, ringing, SECRET, startTestServer, waitFor } from './support/harness.js';

/** The subprotocols the client offers for these credentials. */
const offeredFor = (hello: Parameters<typeof offered>[0]): string[] => offered(hello) ?? [];

let server: SignalServer | null = null;
const sockets: WebSocket[] = [];
const clients: RawClient[] = [];
const transports: WsTransport[] = [];

afterEach(async () => {
  for (const transport of transports.splice(0)) await transport.close();
  for (const socket of sockets.splice(0)) socket.terminate();
  for (const client of clients.splice(0)) client.socket.terminate();
  await server?.close({ drainMs: 100 });
  server = null;
});

interface Opened {
  socket: WebSocket;
  frames: Record<string, unknown>[];
  closed: Promise<{ code: number; reason: string }>;
  next(kind: string): Promise<Record<string, unknown>>;
}

/** A socket that offers `protocols` and sends nothing of its own. */
async function offer(url: string, protocols: string[]): Promise<Opened> {
  const socket = new WebSocket(url, protocols);
  sockets.push(socket);
  const frames: Record<string, unknown>[] = [];
  const listeners: (() => void)[] = [];
  socket.on('message', (data) => {
    frames.push(JSON.parse(String(data)) as Record<string, unknown>);
    for (const listener of listeners.splice(0)) listener();
  });
  socket.on('error', () => {});
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.on('close', (code, reason) => resolve({ code, reason: String(reason) })),
  );
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  const next = (kind: string): Promise<Record<string, unknown>> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${kind} frame within 10 s`)), 10_000);
      const look = () => {
        const found = frames.find((frame) => frame.kind === kind);
        if (found) {
          clearTimeout(timer);
          resolve(found);
        } else listeners.push(look);
      };
      look();
    });
  return { socket, frames, closed, next };
}

it('welcomes a client that offered its token in the upgrade without waiting for a hello', async () => {
  server = await startTestServer();
  const opened = await offer(server.url, offeredFor({ token: server.issueToken('alice') }));
  expect(opened.socket.protocol).toBe(UPGRADE_AUTH_PROTOCOL);
  const welcome = await opened.next('welcome');
  expect(welcome).toMatchObject({ userId: 'alice', resumed: false });
});

it('relays envelopes for a client welcomed in the upgrade', async () => {
  server = await startTestServer();
  const alice = await offer(server.url, offeredFor({ token: server.issueToken('alice') }));
  const bob = await rawClient(server, { token: server.issueToken('bob') });
  clients.push(bob);
  await alice.next('welcome');
  const envelope = ringing('alice', 'bob');
  alice.socket.send(encodeEnvelope(envelope));
  await expect(bob.next((frame) => frame.id === envelope.id)).resolves.toMatchObject({ from: 'alice' });
});

it('refuses a token with a bad signature in the upgrade: error frame with the token code, close 4001', async () => {
  server = await startTestServer();
  const forged = createToken('alice', 'another-secret-0123456789abcdef', 3600);
  const opened = await offer(server.url, offeredFor({ token: forged }));
  await expect(opened.next('error')).resolves.toMatchObject({ code: 'token-bad-signature' });
  await expect(opened.closed).resolves.toEqual({
    code: CLOSE_CODES.authRefused,
    reason: 'token-bad-signature',
  });
});

it('refuses a token in the upgrade that is no JWT with token-malformed, close 4001', async () => {
  server = await startTestServer();
  const opened = await offer(server.url, offeredFor({ token: 'not-a-jwt' }));
  await expect(opened.next('error')).resolves.toMatchObject({ code: 'token-malformed' });
  await expect(opened.closed).resolves.toMatchObject({ code: CLOSE_CODES.authRefused });
});

it('refuses an expired token in the upgrade with token-expired, close 4001', async () => {
  server = await startTestServer();
  const anHourAgo = Date.now() - 3_600_000;
  const expired = createToken('alice', SECRET, 60, anHourAgo);
  const opened = await offer(server.url, offeredFor({ token: expired }));
  await expect(opened.next('error')).resolves.toMatchObject({ code: 'token-expired' });
  await expect(opened.closed).resolves.toMatchObject({ code: CLOSE_CODES.authRefused });
});

it('refuses an offer of two tokens as an invalid hello, close 1008', async () => {
  server = await startTestServer();
  const token = server.issueToken('alice');
  const protocols = [...offeredFor({ token }), `handset.token.${server.issueToken('mallory')}`];
  const opened = await offer(server.url, protocols);
  await expect(opened.next('error')).resolves.toMatchObject({ code: 'invalid-control-frame' });
  await expect(opened.closed).resolves.toMatchObject({ code: CLOSE_CODES.policyViolation });
});

it('refuses a resume offer whose count is not a number as an invalid hello, close 1008', async () => {
  server = await startTestServer();
  const protocols = [...offeredFor({ token: server.issueToken('alice') }), 'handset.resume.abc.x'];
  const opened = await offer(server.url, protocols);
  await expect(opened.next('error')).resolves.toMatchObject({ code: 'invalid-control-frame' });
  await expect(opened.closed).resolves.toMatchObject({ code: CLOSE_CODES.policyViolation });
});

it('resumes a session offered in the upgrade and resends what the client had not received', async () => {
  server = await startTestServer();
  const first = await offer(server.url, offeredFor({ token: server.issueToken('bob') }));
  const { sessionId } = (await first.next('welcome')) as { sessionId: string };
  const alice = await rawClient(server, { token: server.issueToken('alice') });
  clients.push(alice);
  const envelopes = [ringing('alice', 'bob'), ringing('alice', 'bob')];
  for (const envelope of envelopes) alice.send(encodeEnvelope(envelope));
  while (first.frames.filter((frame) => frame.type === 'ringing').length < 2) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  first.socket.terminate();
  await first.closed;
  // Bob confirms the first envelope only: the second comes again after the welcome.
  const again = await offer(
    server.url,
    offeredFor({ token: server.issueToken('bob'), sessionId, received: 1 }),
  );
  await expect(again.next('welcome')).resolves.toMatchObject({ sessionId, resumed: true });
  await expect(
    new Promise((resolve) => {
      const look = () => {
        const resent = again.frames.filter((frame) => frame.type === 'ringing');
        if (resent.length > 0) resolve(resent.map((frame) => frame.id));
        else setTimeout(look, 10);
      };
      look();
    }),
  ).resolves.toEqual([envelopes[1]?.id]);
});

it('still logs in a client that offers no subprotocol and sends a hello', async () => {
  server = await startTestServer();
  const client = await rawClient(server, { token: server.issueToken('alice') });
  clients.push(client);
  expect(client.socket.protocol).toBe('');
  expect(client.frames.map((frame) => JSON.parse(frame).kind)).toEqual(['welcome']);
});

it('waits for the hello of a client that offers only the hello protocol', async () => {
  server = await startTestServer();
  const opened = await offer(server.url, [HELLO_PROTOCOL]);
  expect(opened.socket.protocol).toBe(HELLO_PROTOCOL);
  opened.socket.send(JSON.stringify({ kind: 'hello', token: server.issueToken('alice') }));
  await expect(opened.next('welcome')).resolves.toMatchObject({ userId: 'alice' });
});

it('refuses a hello from a client already welcomed in the upgrade, and keeps it open', async () => {
  server = await startTestServer();
  const opened = await offer(server.url, offeredFor({ token: server.issueToken('alice') }));
  await opened.next('welcome');
  opened.socket.send(JSON.stringify({ kind: 'hello', token: server.issueToken('alice') }));
  await expect(opened.next('error')).resolves.toMatchObject({ code: 'invalid-control-frame' });
  expect(opened.socket.readyState).toBe(WebSocket.OPEN);
});

/** The ws constructor, recording every frame the transport sends. */
function recordingSocket(sent: string[]) {
  return class extends WebSocket {
    override send(data: unknown, ...rest: unknown[]): void {
      sent.push(String(data));
      (super.send as (...args: unknown[]) => void)(data, ...rest);
    }
  };
}

it('the transport logs in through the upgrade: open with no hello sent', async () => {
  server = await startTestServer();
  const sent: string[] = [];
  const transport = createWsTransport({
    url: server.url,
    token: server.issueToken('alice'),
    WebSocket: recordingSocket(sent),
  });
  transports.push(transport);
  await waitFor(transport.status$, (status) => status === 'open');
  expect(sent.filter((frame) => frame.includes('"hello"'))).toEqual([]);
});

it('the transport sends a hello to a server that does not know the upgrade offer', async () => {
  // A server as deployed before: ws selects the first subprotocol offered and waits for a hello.
  const http = createServer();
  const wss = new WebSocketServer({ server: http });
  const firstFrames: string[] = [];
  wss.on('connection', (socket) => {
    socket.once('message', (data) => {
      firstFrames.push(String(data));
      socket.send(
        JSON.stringify({ kind: 'welcome', userId: 'alice', sessionId: 's1', resumed: false, graceMs: 1000 }),
      );
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = http.address() as AddressInfo;
    const transport = createWsTransport({ url: `ws://127.0.0.1:${port}/`, token: 'a.b.c', WebSocket });
    transports.push(transport);
    await waitFor(transport.status$, (status) => status === 'open');
    expect(firstFrames.map((frame) => JSON.parse(frame))).toEqual([{ kind: 'hello', token: 'a.b.c' }]);
  } finally {
    for (const client of wss.clients) client.terminate();
    await new Promise((resolve) => wss.close(resolve));
    await new Promise((resolve) => http.close(resolve));
  }
});

it('the transport sends a token a header cannot carry in a hello, and closes with token-refused', async () => {
  server = await startTestServer();
  const sent: string[] = [];
  const transport = createWsTransport({
    url: server.url,
    token: 'not a/jwt=',
    WebSocket: recordingSocket(sent),
  });
  transports.push(transport);
  const errors = await firstValueFrom(transport.errors$.pipe(toArray()));
  expect(errors).toMatchObject([{ reason: 'token-refused', wireCode: 'token-malformed' }]);
  expect(sent.map((frame) => JSON.parse(frame))).toEqual([{ kind: 'hello', token: 'not a/jwt=' }]);
  expect(transport.status).toBe('closed');
});
