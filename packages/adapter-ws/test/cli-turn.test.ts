// handset-signal's TURN relay comes from the environment (HANDSET_TURN_*): every welcome then carries
// fresh TURN credentials; a half or bad configuration stops the CLI with exit 2 before it listens.
import { createToken } from '@handset/token';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { type CliRun, runSignalCli } from './support/signal-cli.js';

const SECRET = 'cli-turn-token-secret-0123456789';
const TURN_SECRET = 'cli-turn-relay-secret';

function runCli(turnEnv: Record<string, string>): CliRun {
  return runSignalCli(SECRET, ['--log-level', 'debug'], turnEnv);
}

function welcomeOf(url: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.on('open', () =>
      socket.send(JSON.stringify({ kind: 'hello', token: createToken('alice', SECRET, 600) })),
    );
    socket.on('message', (data) => {
      const frame = JSON.parse(String(data)) as Record<string, unknown>;
      if (frame.kind === 'welcome') {
        resolve(frame);
        socket.close();
      }
    });
    socket.on('error', reject);
  });
}

describe('handset-signal with HANDSET_TURN_*', () => {
  it('welcomes each user with TURN credentials for it, and never logs them', async () => {
    const run = runCli({
      HANDSET_TURN_URLS: 'turn:turn.example.com:3478?transport=udp, turn:turn.example.com:3478?transport=tcp',
      HANDSET_TURN_SECRET: TURN_SECRET,
      HANDSET_TURN_TTL: '3600',
    });
    try {
      const url = await run.url;
      expect(url).not.toBeNull();
      const welcome = await welcomeOf(url ?? '');
      const [server] = welcome.iceServers as { urls: string[]; username: string; credential: string }[];
      expect(server?.urls).toEqual([
        'turn:turn.example.com:3478?transport=udp',
        'turn:turn.example.com:3478?transport=tcp',
      ]);
      const expiry = Number(server?.username.split(':')[0]);
      expect(expiry - Date.now() / 1000).toBeGreaterThan(3500);
      expect(expiry - Date.now() / 1000).toBeLessThanOrEqual(3600);
      expect(server?.username.endsWith(':alice')).toBe(true);
      run.stop();
      const { stderr } = await run.exited;
      expect(stderr).toContain('session-open');
      expect(stderr).not.toContain(server?.credential);
      expect(stderr).not.toContain(TURN_SECRET);
    } finally {
      run.stop();
    }
  });

  it.each([
    ['urls without a secret', { HANDSET_TURN_URLS: 'turn:turn.example.com:3478' }],
    ['a secret without urls', { HANDSET_TURN_SECRET: TURN_SECRET }],
    ['a stun: url', { HANDSET_TURN_URLS: 'stun:turn.example.com:3478', HANDSET_TURN_SECRET: TURN_SECRET }],
    [
      'a ttl under a minute',
      { HANDSET_TURN_URLS: 'turn:turn.example.com', HANDSET_TURN_SECRET: TURN_SECRET, HANDSET_TURN_TTL: '5' },
    ],
  ])('exits 2 for %s', async (_what, env) => {
    const run = runCli(env);
    expect(await run.url).toBeNull();
    const { code, stderr } = await run.exited;
    expect(code).toBe(2);
    expect(stderr).toContain('HANDSET_TURN');
  });
});
