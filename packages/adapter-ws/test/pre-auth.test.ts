// Before authentication nobody may hold the server: silent and header-dripping sockets are dropped at the
// upgrade deadline, one address is capped, the pending pool is bounded and evicts so a fresh login still
// gets in, and `/health` keeps answering. Floods are bounded (at most 2,000 sockets, well under `ulimit -n`).
import { afterEach, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { CLOSE_CODES, type SignalServer, type SignalServerLimits } from '../src/server/index.js';
import { eventually, type HeldSocket, holdSockets, tryOpen } from './support/front-door.js';
import { startTestServer } from './support/harness.js';

let server: SignalServer;
const held: HeldSocket[] = [];
const sockets: WebSocket[] = [];

afterEach(async () => {
  for (const h of held.splice(0)) h.socket.destroy();
  for (const s of sockets.splice(0)) s.terminate();
  await server?.close({ drainMs: 100 });
});

async function start(limits: Partial<SignalServerLimits>): Promise<SignalServer> {
  server = await startTestServer({ limits });
  return server;
}

/** A full honest login (upgrade, hello, welcome) from `localAddress`; resolves with the welcome's user. */
async function honestLogin(userId: string, localAddress = '127.0.0.1'): Promise<string> {
  const attempt = await tryOpen(server.url, { localAddress });
  if (!attempt.ok) throw new Error(`upgrade refused (${attempt.status ?? 'no response'})`);
  sockets.push(attempt.socket);
  const welcome = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no welcome within 10 s')), 10_000);
    attempt.socket.on('message', (data) => {
      const frame = JSON.parse(String(data)) as { kind?: string; userId?: string };
      if (frame.kind === 'welcome') {
        clearTimeout(timer);
        resolve(frame.userId ?? '');
      }
    });
  });
  attempt.socket.send(JSON.stringify({ kind: 'hello', token: server.issueToken(userId) }));
  return welcome;
}

async function healthStatus(): Promise<number> {
  return (await fetch(`${server.httpUrl}/health`, { signal: AbortSignal.timeout(5_000) })).status;
}

const openCount = (sockets: HeldSocket[]) => sockets.filter((h) => !h.isClosed()).length;
/** 127.0.0.2, 127.0.0.3, ...: Linux routes all of 127/8 to the loopback interface. */
const spreadOver = (addresses: number) => (i: number) => `127.0.0.${2 + (i % addresses)}`;

describe('deadlines', () => {
  it('drops TCP connections that never send a request once upgradeTimeoutMs passes', async () => {
    await start({ upgradeTimeoutMs: 1_000 });
    held.push(...(await holdSockets(300, server.port)));
    expect(await eventually(() => openCount(held) === 0, 8_000)).toBe(true);
    expect(await healthStatus()).toBe(200);
  });

  it('drops sockets that drip their request headers by the upgrade deadline', async () => {
    await start({ upgradeTimeoutMs: 1_000 });
    held.push(...(await holdSockets(100, server.port)));
    for (const h of held) h.socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    // One header line every 200 ms: never idle, never finished.
    const drip = setInterval(() => {
      for (const h of held) if (!h.isClosed()) h.socket.write('X-Drip: 1\r\n');
    }, 200);
    try {
      expect(await eventually(() => openCount(held) === 0, 8_000)).toBe(true);
    } finally {
      clearInterval(drip);
    }
    expect(await healthStatus()).toBe(200);
  });

  it('closes upgraded WebSockets that never say hello with 1008, even 300 at once', async () => {
    await start({ handshakeTimeoutMs: 1_000, addressConnectBurst: 1_000, maxConnectionsPerAddress: 1_000 });
    const attempts = await Promise.all(Array.from({ length: 300 }, () => tryOpen(server.url)));
    const silent = attempts.flatMap((a) => (a.ok ? [a.socket] : []));
    expect(silent).toHaveLength(300);
    sockets.push(...silent);
    const codes = await Promise.all(attempts.map(async (a) => (a.ok ? (await a.closed).code : 0)));
    expect(new Set(codes)).toEqual(new Set([CLOSE_CODES.policyViolation]));
    expect(await honestLogin('alice')).toBe('alice');
  });
});

describe('per-address limits', () => {
  it('holds at most maxConnectionsPerAddress from one address; other addresses still log in', async () => {
    await start({ maxConnectionsPerAddress: 50, addressConnectBurst: 10_000 });
    held.push(...(await holdSockets(200, server.port, () => '127.0.0.2')));
    expect(await eventually(() => openCount(held) <= 50, 5_000)).toBe(true);
    expect(openCount(held)).toBeGreaterThan(0);
    expect(await honestLogin('alice')).toBe('alice');
  });

  it('drops connection attempts from one address beyond addressConnectBurst', async () => {
    await start({ addressConnectBurst: 5, addressConnectsPerSecond: 0.01 });
    const attempts = [];
    for (let i = 0; i < 10; i += 1) attempts.push(await tryOpen(server.url, { localAddress: '127.0.0.2' }));
    for (const a of attempts) if (a.ok) sockets.push(a.socket);
    expect(attempts.map((a) => a.ok)).toEqual([...Array(5).fill(true), ...Array(5).fill(false)]);
    expect(await honestLogin('alice', '127.0.0.3')).toBe('alice');
  });
});

describe('the pending pool', () => {
  it('holds 2,000 silent sockets from 20 addresses to maxPendingConnections; a login and /health still work', async () => {
    // Neither the per-address cap nor the deadline is what saves the login here: only the pool.
    await start({
      maxPendingConnections: 200,
      maxConnectionsPerAddress: 10_000,
      addressConnectBurst: 10_000,
      upgradeTimeoutMs: 60_000,
    });
    held.push(...(await holdSockets(2_000, server.port, spreadOver(20))));
    expect(await eventually(() => openCount(held) <= 200, 10_000)).toBe(true);
    // The flood goes on (bounded: 1,000 more) while an honest user logs in.
    const more = holdSockets(1_000, server.port, spreadOver(20), 50).then((h) => held.push(...h));
    expect(await honestLogin('alice')).toBe('alice');
    expect(await healthStatus()).toBe(200);
    await more;
    expect(await eventually(() => openCount(held) <= 200, 10_000)).toBe(true);
  }, 60_000);

  it('lets a fresh login from the flooding address itself in: the oldest pending connection goes first', async () => {
    await start({
      maxPendingConnections: 100,
      maxConnectionsPerAddress: 10_000,
      addressConnectBurst: 10_000,
      upgradeTimeoutMs: 60_000,
    });
    held.push(...(await holdSockets(1_000, server.port)));
    expect(await eventually(() => openCount(held) <= 100, 10_000)).toBe(true);
    expect(await honestLogin('alice')).toBe('alice');
    // The newest of the flood are the ones still held.
    expect(held.slice(-50).every((h) => !h.isClosed())).toBe(true);
  }, 60_000);

  it('closes an evicted pending WebSocket with 1013 server-busy', async () => {
    await start({ maxPendingConnections: 20, addressConnectBurst: 1_000 });
    const attempts = [];
    for (let i = 0; i < 30; i += 1) attempts.push(await tryOpen(server.url));
    const opened = attempts.flatMap((a) => (a.ok ? [a] : []));
    sockets.push(...opened.map((a) => a.socket));
    const first = opened[0];
    if (!first) throw new Error('no WebSocket opened');
    const { code, reason } = await first.closed;
    expect({ code, reason }).toEqual({ code: CLOSE_CODES.tryAgainLater, reason: 'server-busy' });
    expect(await honestLogin('alice')).toBe('alice');
  });
});
