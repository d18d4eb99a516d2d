// The client transport against msw's WebSocket interception: backoff, queue, heartbeat, resume, auth.
import { createEnvelope, type Envelope, type ReconnectContext, type TransportStatus } from '@handset/core';
import { ws } from 'msw';
import { setupServer } from 'msw/node';
import { nanoid } from 'nanoid';
import { firstValueFrom, toArray } from 'rxjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createWsTransport, type WsTransport, type WsTransportOptions } from '../src/ws-transport.js';
import { waitFor } from './support/harness.js';

const URL = 'ws://signal.test/';
const signal = ws.link(URL);
const msw = setupServer();

type Frame = Record<string, unknown>;
type Client = Parameters<Parameters<typeof signal.addEventListener<'connection'>>[1]>[0]['client'];
interface FakeConnection {
  index: number;
  client: Client;
  frames: Frame[];
}

/** A scripted server; `onFrame` returning true means "handled, skip the default behaviour". */
function fakeServer(onFrame: (conn: FakeConnection, frame: Frame) => boolean | undefined = () => undefined) {
  const connections: FakeConnection[] = [];
  msw.use(
    signal.addEventListener('connection', ({ client }) => {
      const conn: FakeConnection = { index: connections.length, client, frames: [] };
      connections.push(conn);
      client.addEventListener('message', (event) => {
        const frame = JSON.parse(String(event.data)) as Frame;
        conn.frames.push(frame);
        if (onFrame(conn, frame)) return;
        if (frame.kind === 'hello') {
          client.send(
            JSON.stringify({
              kind: 'welcome',
              userId: 'alice',
              sessionId: 's1',
              resumed: frame.sessionId === 's1',
              graceMs: 10_000,
            }),
          );
        } else if (frame.kind === 'ping') {
          client.send(JSON.stringify({ kind: 'pong', t: frame.t }));
        }
      });
    }),
  );
  return connections;
}

const transports: WsTransport[] = [];
function transport(options: Partial<WsTransportOptions> = {}): WsTransport {
  const created = createWsTransport({
    url: URL,
    token: 'token-1',
    heartbeatIntervalMs: 50,
    heartbeatTimeoutMs: 400,
    reconnectPolicy: { nextRetryDelayMs: () => 10 },
    ...options,
  });
  transports.push(created);
  return created;
}

function envelope(): Envelope {
  return createEnvelope(
    { type: 'ringing', callId: nanoid(), from: 'alice', fromDevice: 'a', to: 'bob' },
    nanoid(),
  );
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i += 1) await new Promise((r) => setTimeout(r, 10));
  if (!check()) throw new Error('condition not reached');
}

const isOpen = (s: TransportStatus) => s === 'open';

beforeAll(() => msw.listen());
afterEach(() => {
  for (const t of transports.splice(0)) t.close();
  msw.resetHandlers();
});
afterAll(() => msw.close());

describe('the WebSocket transport (client, against msw)', () => {
  it('uses the global WebSocket by default, says hello with its token, and is open after the welcome', async () => {
    const connections = fakeServer();
    const t = transport();
    await waitFor(t.status$, isOpen);
    expect(connections[0]?.frames[0]).toEqual({ kind: 'hello', token: 'token-1' });
    expect(t.sessionId).toBe('s1');
  });

  it('queues envelopes sent before the link is open and sends them in order after the welcome', async () => {
    const connections = fakeServer();
    const t = transport();
    const sent = [envelope(), envelope(), envelope()];
    for (const e of sent) t.send(e);
    await waitFor(t.status$, isOpen);
    await until(() => (connections[0]?.frames.filter((f) => f.v === 1).length ?? 0) >= 3);
    expect(connections[0]?.frames.filter((f) => f.v === 1).map((f) => f.id)).toEqual(sent.map((e) => e.id));
  });

  it('retries with the delays its policy gives, reporting each failed attempt, and closes with reconnect-gave-up when it returns null', async () => {
    const connections = fakeServer((conn) => {
      conn.client.close(4500, 'go away');
      return true;
    });
    const contexts: ReconnectContext[] = [];
    const t = transport({
      reconnectPolicy: {
        nextRetryDelayMs(ctx) {
          contexts.push(ctx);
          return ctx.attempt < 3 ? 10 : null;
        },
      },
    });
    const errors = firstValueFrom(t.errors$.pipe(toArray()));
    const statuses = firstValueFrom(t.status$.pipe(toArray()));
    expect(await statuses).toEqual(['connecting', 'closed']);
    expect(contexts.map((c) => c.attempt)).toEqual([0, 1, 2, 3]);
    expect(connections).toHaveLength(4);
    expect((await errors).map((e) => e.reason)).toEqual([
      'connect-failed',
      'connect-failed',
      'connect-failed',
      'connect-failed',
      'reconnect-gave-up',
    ]);
  });

  it('detects a dead link by heartbeat when the server goes silent, and reconnects', async () => {
    const connections = fakeServer((conn, frame) => conn.index === 0 && frame.kind === 'ping');
    const t = transport();
    const seen: TransportStatus[] = [];
    t.status$.subscribe((s) => seen.push(s));
    await waitFor(t.status$, isOpen);
    await until(() => connections.length === 2 && seen.at(-1) === 'open');
    expect(seen).toEqual(['connecting', 'open', 'reconnecting', 'open']);
  });

  it('resumes its session after a drop, telling the server how many envelopes it received', async () => {
    const connections = fakeServer((conn, frame) => {
      if (conn.index === 0 && frame.kind === 'hello') {
        conn.client.send(
          JSON.stringify({ kind: 'welcome', userId: 'alice', sessionId: 's1', resumed: false, graceMs: 1 }),
        );
        conn.client.send(JSON.stringify(envelope()));
        conn.client.send(JSON.stringify(envelope()));
        setTimeout(() => conn.client.close(4500, 'blip'), 20);
        return true;
      }
      return undefined;
    });
    const t = transport();
    const received = firstValueFrom(t.incoming$.pipe(toArray()));
    await until(() => connections.length === 2 && (connections[1]?.frames.length ?? 0) > 0);
    expect(connections[1]?.frames[0]).toEqual({
      kind: 'hello',
      token: 'token-1',
      sessionId: 's1',
      received: 2,
    });
    t.close();
    expect(await received).toHaveLength(2);
  });

  it('resends after a reconnect the envelopes no pong confirmed, and not the confirmed ones', async () => {
    let silent = false;
    const connections = fakeServer((conn, frame) => conn.index === 0 && frame.kind === 'ping' && silent);
    const t = transport();
    await waitFor(t.status$, isOpen);
    const confirmed = envelope();
    t.send(confirmed);
    const pingsBefore = connections[0]?.frames.filter((f) => f.kind === 'ping').length ?? 0;
    await until(
      () => (connections[0]?.frames.filter((f) => f.kind === 'ping').length ?? 0) >= pingsBefore + 2,
    );
    silent = true;
    const lost = envelope();
    t.send(lost);
    connections[0]?.client.close(4500, 'blip');
    await until(() => connections[1]?.frames.some((f) => f.id === lost.id) ?? false);
    expect(connections[1]?.frames.filter((f) => f.v === 1).map((f) => f.id)).toEqual([lost.id]);
  });

  it('closes at once, without retrying, when the server refuses its token', async () => {
    const connections = fakeServer((conn) => {
      conn.client.send(JSON.stringify({ kind: 'error', code: 'token-expired', message: 'expired' }));
      conn.client.close(4001, 'token-expired');
      return true;
    });
    const t = transport();
    const errors = firstValueFrom(t.errors$.pipe(toArray()));
    expect(await firstValueFrom(t.status$.pipe(toArray()))).toEqual(['connecting', 'closed']);
    expect((await errors).map((e) => [e.code, e.reason, e.wireCode])).toEqual([
      ['unauthenticated', 'token-refused', 'token-expired'],
    ]);
    expect(connections).toHaveLength(1);
  });

  it('asks its token function again before every connection attempt', async () => {
    let issued = 0;
    const connections = fakeServer((conn, frame) => {
      if (conn.index === 0 && frame.kind === 'hello') {
        conn.client.close(4500, 'blip');
        return true;
      }
      return undefined;
    });
    const t = transport({ token: async () => `token-${++issued}` });
    await waitFor(t.status$, isOpen);
    expect(connections.map((c) => c.frames[0]?.token)).toEqual(['token-1', 'token-2']);
  });

  it('says bye on close(), reports closed and completes its observables', async () => {
    const connections = fakeServer();
    const t = transport();
    await waitFor(t.status$, isOpen);
    const incoming = firstValueFrom(t.incoming$.pipe(toArray()));
    t.close();
    await incoming;
    await until(() => connections[0]?.frames.some((f) => f.kind === 'bye') ?? false);
    expect(connections[0]?.frames.at(-1)).toEqual({ kind: 'bye' });
  });

  it('drops sends after close without throwing', async () => {
    fakeServer();
    const t = transport();
    t.close();
    expect(() => t.send(envelope())).not.toThrow();
  });
});
