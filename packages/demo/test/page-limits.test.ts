// Each row of the page server's limits table, held against the real server: too many sockets, a client
// that never finishes its headers, and an oversized header block. The README's table mirrors the code.
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { afterAll, describe, expect, test } from 'vitest';
import { type DemoServer, startDemoServer } from '../server/demo-server.js';
import {
  PAGE_SERVER_LIMIT_EFFECTS,
  PAGE_SERVER_LIMITS,
  type PageServerLimits,
} from '../server/page-limits.js';

/** Generous: "at once" or "after the deadline" on a loaded 2-core machine, never a speed requirement. */
const OUTCOME_MS = 5_000;

const servers: DemoServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
});

async function serverWith(limits: Partial<PageServerLimits>): Promise<DemoServer> {
  const server = await startDemoServer({ httpPort: 0, httpsPort: null, limits });
  servers.push(server);
  return server;
}

interface Client {
  socket: Socket;
  /** Everything the server sent, and whether it closed the socket, once it closed or OUTCOME_MS passed. */
  outcome: () => Promise<{ received: string; closed: boolean }>;
}

function client(url: string, send = ''): Promise<Client> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      if (send) socket.write(send);
      resolve({ socket, outcome });
    });
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      received += chunk;
    });
    const closed = new Promise<void>((done) => socket.on('close', () => done()));
    socket.on('error', () => undefined); // a reset is one of the outcomes the tests look at
    socket.once('error', reject);
    const outcome = async () => {
      const result = await Promise.race([
        closed.then(() => true),
        new Promise<boolean>((done) => setTimeout(() => done(false), OUTCOME_MS)),
      ]);
      return { received, closed: result };
    };
  });
}

describe('the page server limits', () => {
  test('maxConnections: a socket beyond the limit is closed at once; the held ones stay', async () => {
    const server = await serverWith({ maxConnections: 4 });
    const held = await Promise.all([1, 2, 3, 4].map(() => client(server.httpUrl)));
    const refused = await client(server.httpUrl, 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    expect(await refused.outcome()).toEqual({ received: '', closed: true });
    expect(held.every(({ socket }) => !socket.destroyed && socket.readyState === 'open')).toBe(true);
    for (const { socket } of held) socket.destroy();
  });

  test('headersTimeoutMs: a client that never finishes its headers gets 408 and is closed', async () => {
    const server = await serverWith({ headersTimeoutMs: 500 });
    const slow = await client(
      server.httpUrl,
      'GET /signal HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n',
    );
    const { received, closed } = await slow.outcome();
    expect(received).toMatch(/^HTTP\/1\.1 408 /);
    expect(closed).toBe(true);
  });

  test('maxHeaderBytes: a header block over the limit is answered 431 and closed', async () => {
    const server = await serverWith({});
    const big = 'x'.repeat(PAGE_SERVER_LIMITS.maxHeaderBytes + 1024);
    const greedy = await client(server.httpUrl, `GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${big}\r\n\r\n`);
    const { received, closed } = await greedy.outcome();
    expect(received).toMatch(/^HTTP\/1\.1 431 /);
    expect(closed).toBe(true);
  });
});

describe('packages/demo/README.md', () => {
  test('lists every page server limit with its default and effect, as page-limits.ts says', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const rows = [...readme.matchAll(/^\| `(\w+)` \| ([\d,]+) \| (.+?) \|$/gm)].map((m) => [
      m[1],
      Number((m[2] ?? '').replaceAll(',', '')),
      m[3],
    ]);
    expect(rows).toEqual(
      Object.entries(PAGE_SERVER_LIMITS).map(([name, value]) => [
        name,
        value,
        PAGE_SERVER_LIMIT_EFFECTS[name as keyof typeof PAGE_SERVER_LIMITS],
      ]),
    );
  });
});
