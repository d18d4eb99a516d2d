// Test scaffolding: a real server on 127.0.0.1:0, transports logged in through it, and a raw socket
// for speaking (and misbehaving) at the wire level.
import { createEnvelope, type Envelope, type LogLevel } from '@handset/core';
import { nanoid } from 'nanoid';
import { filter, firstValueFrom, type Observable, take, timeout, toArray } from 'rxjs';
import { WebSocket } from 'ws';
import { type SignalServer, type SignalServerOptions, startSignalServer } from '../../src/server/index.js';
import { createWsTransport, type WsTransport, type WsTransportOptions } from '../../src/ws-transport.js';

export const SECRET = 'test-secret-0123456789abcdef';
export const WAIT_MS = 10_000;

/** One logged event as the tests read it: core's `(level, event, fields)` flattened into one object. */
export interface LogEntry {
  level: LogLevel;
  event: string;
  [field: string]: unknown;
}

export async function startTestServer(
  options: SignalServerOptions = {},
): Promise<SignalServer & { logs: LogEntry[] }> {
  const logs: LogEntry[] = [];
  const server = await startSignalServer({
    secret: SECRET,
    logger: (level, event, fields) => logs.push({ ...fields, level, event }),
    ...options,
  });
  return Object.assign(server, { logs });
}

export function connectTransport(
  server: SignalServer,
  userId: string,
  options: Partial<WsTransportOptions> = {},
): WsTransport {
  return createWsTransport({ url: server.url, token: server.issueToken(userId), WebSocket, ...options });
}

export function waitFor<T>(
  source: Observable<T>,
  predicate: (value: T) => boolean,
  ms = WAIT_MS,
): Promise<T> {
  return firstValueFrom(source.pipe(filter(predicate), timeout(ms)));
}

export function collect<T>(source: Observable<T>, count: number, ms = WAIT_MS): Promise<T[]> {
  return firstValueFrom(source.pipe(take(count), toArray(), timeout(ms)));
}

export function ringing(from: string, to: string, callId = nanoid()): Envelope {
  return createEnvelope({ type: 'ringing', callId, from, fromDevice: `${from}-device`, to }, nanoid());
}

/** A raw client: every frame it receives, and how its socket closed. */
export interface RawClient {
  socket: WebSocket;
  frames: string[];
  closed: Promise<{ code: number; reason: string }>;
  send(frame: string | Buffer): void;
  /** Resolves with the first frame received so far or later (parsed) matching `predicate`. */
  next(predicate: (frame: Record<string, unknown>) => boolean, ms?: number): Promise<Record<string, unknown>>;
}

export async function rawClient(
  server: SignalServer,
  hello?: { token: string; sessionId?: string },
): Promise<RawClient> {
  const socket = new WebSocket(server.url);
  const frames: string[] = [];
  const waiters: {
    predicate: (f: Record<string, unknown>) => boolean;
    resolve: (f: Record<string, unknown>) => void;
  }[] = [];
  const parse = (text: string): Record<string, unknown> => {
    try {
      return JSON.parse(text) as Record<string, unknown>;
    } catch {
      return {};
    }
  };
  socket.on('message', (data) => {
    const text = String(data);
    frames.push(text);
    const parsed = parse(text);
    for (const waiter of [...waiters]) {
      if (waiter.predicate(parsed)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(parsed);
      }
    }
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.on('close', (code, reason) => resolve({ code, reason: String(reason) })),
  );
  socket.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  const client: RawClient = {
    socket,
    frames,
    closed,
    send: (frame) => socket.send(frame),
    next(predicate, ms = WAIT_MS) {
      const seen = frames.map(parse).find(predicate);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching frame within ${ms} ms`)), ms);
        waiters.push({
          predicate,
          resolve: (frame) => {
            clearTimeout(timer);
            resolve(frame);
          },
        });
      });
    },
  };
  if (hello) {
    client.send(JSON.stringify({ kind: 'hello', ...hello }));
    await client.next((f) => f.kind === 'welcome');
  }
  return client;
}

export function isKind(kind: string) {
  return (frame: Record<string, unknown>) => frame.kind === kind;
}
