// Test clients for the server's front door: WebSockets from a chosen loopback address or Origin, bare TCP
// sockets that never speak or drip their headers, and a bounded wait for a condition.
import { connect, type Socket } from 'node:net';
import { WebSocket } from 'ws';

export type Attempt =
  | { ok: true; socket: WebSocket; closed: Promise<{ code: number; reason: string }> }
  | { ok: false; status?: number; headers?: Record<string, string | string[] | undefined> };

/** Opens a WebSocket; resolves with the socket, or with the HTTP status it was refused with (if any). */
export function tryOpen(
  url: string,
  options: { localAddress?: string; origin?: string } = {},
): Promise<Attempt> {
  const socket = new WebSocket(url, options);
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.once('close', (code, reason) => resolve({ code, reason: String(reason) })),
  );
  return new Promise((resolve) => {
    socket.once('open', () => resolve({ ok: true, socket, closed }));
    socket.once('unexpected-response', (_req, res) => {
      resolve({ ok: false, status: res.statusCode, headers: res.headers });
      socket.terminate();
    });
    socket.once('error', () => resolve({ ok: false }));
  });
}

/** A TCP socket to the server that has connected; `closed` resolves when the server (or anyone) ends it. */
export interface HeldSocket {
  socket: Socket;
  closed: Promise<void>;
  isClosed(): boolean;
}

export function holdSocket(port: number, localAddress = '127.0.0.1'): Promise<HeldSocket> {
  const socket = connect({ host: '127.0.0.1', port, localAddress });
  let done = false;
  const closed = new Promise<void>((resolve) =>
    socket.once('close', () => {
      done = true;
      resolve();
    }),
  );
  socket.on('error', () => {});
  return new Promise((resolve) => {
    // A connection the server drops at once may close before or instead of connecting: held, then closed.
    socket.once('connect', () => resolve({ socket, closed, isClosed: () => done }));
    socket.once('close', () => resolve({ socket, closed, isClosed: () => done }));
  });
}

/** Opens `count` sockets, `parallel` at a time (bounded, so the test never floods itself). */
export async function holdSockets(
  count: number,
  port: number,
  localAddress: (i: number) => string = () => '127.0.0.1',
  parallel = 100,
): Promise<HeldSocket[]> {
  const held: HeldSocket[] = [];
  for (let i = 0; i < count; i += parallel) {
    const batch = Array.from({ length: Math.min(parallel, count - i) }, (_, j) =>
      holdSocket(port, localAddress(i + j)),
    );
    held.push(...(await Promise.all(batch)));
  }
  return held;
}

/** Polls `condition` every 50 ms until it holds or `ms` pass; returns whether it held. */
export async function eventually(condition: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

/** A logged-in WebSocket from a chosen address: every parsed frame it receives, and how it closed. */
export interface AddressedClient {
  socket: WebSocket;
  frames: Record<string, unknown>[];
  closed: Promise<{ code: number; reason: string }>;
  send(frame: string): void;
  /** Resolves once a frame matching `predicate` has arrived (or rejects after `ms`). */
  next(predicate: (frame: Record<string, unknown>) => boolean, ms?: number): Promise<Record<string, unknown>>;
}

export async function loginFrom(
  url: string,
  token: string,
  localAddress = '127.0.0.1',
): Promise<AddressedClient> {
  const attempt = await tryOpen(url, { localAddress });
  if (!attempt.ok) throw new Error(`upgrade refused (${attempt.status ?? 'no response'})`);
  const { socket, closed } = attempt;
  const frames: Record<string, unknown>[] = [];
  socket.on('message', (data) => {
    try {
      frames.push(JSON.parse(String(data)) as Record<string, unknown>);
    } catch {
      frames.push({});
    }
  });
  const client: AddressedClient = {
    socket,
    frames,
    closed,
    send: (frame) => {
      if (socket.readyState === socket.OPEN) socket.send(frame);
    },
    async next(predicate, ms = 10_000) {
      const found = () => frames.find(predicate);
      if (!(await eventually(() => found() !== undefined, ms)))
        throw new Error(`no matching frame in ${ms} ms`);
      return found() as Record<string, unknown>;
    },
  };
  client.send(JSON.stringify({ kind: 'hello', token }));
  await client.next((f) => f.kind === 'welcome');
  return client;
}
