// Browser origins: an allow-list checked on every upgrade (HTTP 403 otherwise), dev mode limited to
// loopback pages by default, and `/dev-token` readable only by an allowed page (never `*`).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import type { SignalServer } from '../src/server/index.js';
import { tryOpen } from './support/front-door.js';
import { type LogEntry, startTestServer } from './support/harness.js';

let server: SignalServer & { logs: LogEntry[] };
const sockets: WebSocket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.terminate();
  await server?.close({ drainMs: 100 });
});

/** The HTTP status of an upgrade from `origin` (101 when it was accepted). */
async function upgradeStatus(origin?: string): Promise<number | undefined> {
  const attempt = await tryOpen(server.url, origin === undefined ? {} : { origin });
  if (!attempt.ok) return attempt.status;
  sockets.push(attempt.socket);
  return 101;
}

async function devToken(origin?: string): Promise<Response> {
  return fetch(`${server.httpUrl}/dev-token?user=zoe`, {
    headers: origin === undefined ? {} : { origin },
  });
}

describe('allowedOrigins on a production server', () => {
  it('refuses an upgrade from an origin not on the list with 403, and logs it', async () => {
    server = await startTestServer({ allowedOrigins: ['https://app.example.com'] });
    expect(await upgradeStatus('https://evil.example')).toBe(403);
    expect(server.logs.some((entry) => entry.event === 'origin-refused')).toBe(true);
  });

  it('accepts the listed origin, any port of a `host:*` entry, and clients that send no Origin', async () => {
    server = await startTestServer({ allowedOrigins: ['https://app.example.com', 'http://intranet:*'] });
    expect(await upgradeStatus('https://app.example.com')).toBe(101);
    expect(await upgradeStatus('http://intranet:8080')).toBe(101);
    expect(await upgradeStatus(undefined)).toBe(101);
  });

  it('does not take a look-alike host for a `host:*` entry', async () => {
    server = await startTestServer({ allowedOrigins: ['http://localhost:*'] });
    expect(await upgradeStatus('http://localhost.evil.example:80')).toBe(403);
    expect(await upgradeStatus('http://localhost:5173.evil.example')).toBe(403);
  });

  it('accepts any origin by default (set allowedOrigins in production)', async () => {
    server = await startTestServer();
    expect(await upgradeStatus('https://anywhere.example')).toBe(101);
  });
});

describe('dev mode', () => {
  it('accepts upgrades from loopback pages only by default', async () => {
    server = await startTestServer({ dev: true, secret: undefined });
    expect(await upgradeStatus('http://localhost:5173')).toBe(101);
    expect(await upgradeStatus('http://127.0.0.1:8080')).toBe(101);
    expect(await upgradeStatus('https://evil.example')).toBe(403);
  });

  it('never answers /dev-token with a wildcard: an allowed page gets its own origin back', async () => {
    server = await startTestServer({ dev: true, secret: undefined });
    const response = await devToken('http://localhost:5173');
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(response.headers.get('vary')).toBe('Origin');
  });

  it('refuses /dev-token to a page from another site with 403 and no CORS header', async () => {
    server = await startTestServer({ dev: true, secret: undefined });
    const response = await devToken('https://evil.example');
    expect(response.status).toBe(403);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(await response.json()).toEqual({ error: 'origin-refused' });
  });

  it('serves /dev-token to a non-browser client (no Origin) without any CORS header', async () => {
    server = await startTestServer({ dev: true, secret: undefined });
    const response = await devToken(undefined);
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('warns loudly at start, naming the origins it lets in', async () => {
    server = await startTestServer({ dev: true, secret: undefined });
    const warning = server.logs.find((entry) => entry.event === 'dev-mode');
    expect(warning).toMatchObject({ level: 'warn' });
    expect(warning?.allowedOrigins).toContain('http://localhost:*');
  });
});

describe('handset-signal', () => {
  it('takes --allowed-origin (repeatable) and refuses other origins with 403', async () => {
    const cli = fileURLToPath(new URL('../src/server/cli.ts', import.meta.url));
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        cli,
        '--port',
        '0',
        '--secret',
        'a-secret-of-at-least-16-bytes',
        '--allowed-origin',
        'https://app.example.com',
        '--allowed-origin',
        'http://localhost:*',
      ],
      { stdio: ['ignore', 'pipe', 'ignore'], cwd: fileURLToPath(new URL('..', import.meta.url)) },
    );
    const stop = () => {
      if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, 'SIGTERM');
    };
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('the CLI did not start within 20 s')), 20_000);
        let stdout = '';
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
          const match = /listening on (\S+)/.exec(stdout);
          if (match?.[1]) {
            clearTimeout(timer);
            resolve(match[1]);
          }
        });
      });
      const status = async (origin: string) => {
        const attempt = await tryOpen(url, { origin });
        if (!attempt.ok) return attempt.status;
        attempt.socket.terminate();
        return 101;
      };
      expect(await status('https://evil.example')).toBe(403);
      expect(await status('https://app.example.com')).toBe(101);
      expect(await status('http://localhost:3000')).toBe(101);
    } finally {
      stop();
    }
  }, 30_000);
});
