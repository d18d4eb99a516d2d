// Bad configuration stops the server at start with a typed error (and the CLI with a message and a
// non-zero exit), instead of starting and refusing every login in the log only.
import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import { HandsetError } from '@handset/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SignalingError, startSignalServer } from '../src/server/index.js';
import { startRedis, type TestRedis } from './support/redis.js';

const REDIS_PASSWORD = 'redis-password-for-tests-0123';

const cli = fileURLToPath(new URL('../src/server/cli.ts', import.meta.url));
const packageDir = fileURLToPath(new URL('..', import.meta.url));

let squatter: Server | null = null;
afterEach(async () => {
  const held = squatter;
  squatter = null;
  if (held) await new Promise((resolve) => held.close(resolve));
});

/** A port on 127.0.0.1 that something else already holds. */
async function busyPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  squatter = server;
  return (server.address() as AddressInfo).port;
}

function runCli(
  args: string[],
  env: Record<string, string> = {},
  untilListening = false,
): Promise<{ code: number | null; stderr: string; stdout: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', cli, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd: packageDir,
    env: { ...process.env, HANDSET_TOKEN_SECRET: '', HANDSET_SECRET: '', HANDSET_REDIS_PASSWORD: '', ...env },
  });
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    // Started as asked: stop it the way an operator would, and expect a clean exit.
    if (untilListening && stdout.includes('listening on') && child.pid !== undefined) {
      process.kill(child.pid, 'SIGTERM');
    }
  });
  // A CLI that started anyway would never exit on its own: stop it (by PID) so the test fails, not hangs.
  const guard = setTimeout(() => {
    if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, 'SIGKILL');
  }, 20_000);
  return new Promise((resolve) =>
    child.on('exit', (code) => {
      clearTimeout(guard);
      resolve({ code, stderr, stdout });
    }),
  );
}

describe('startSignalServer refuses bad configuration at start', () => {
  it('rejects a secret shorter than 16 bytes with invalid-argument', async () => {
    const started = startSignalServer({ secret: 'short' });
    await expect(started).rejects.toBeInstanceOf(HandsetError);
    await expect(started).rejects.toMatchObject({
      code: 'invalid-argument',
      message: expect.stringContaining('16 bytes'),
    });
  });

  it('rejects a busy port with the typed address-in-use error, not a bare EADDRINUSE', async () => {
    const port = await busyPort();
    const started = startSignalServer({ secret: 'a-long-enough-secret-0123456789', port });
    await expect(started).rejects.toBeInstanceOf(SignalingError);
    await expect(started).rejects.toMatchObject({
      reason: 'address-in-use',
      message: expect.stringContaining(`127.0.0.1:${port}`),
    });
  });
});

describe('handset-signal refuses bad configuration with a message and a non-zero exit', () => {
  it('exits 2 on a short --secret, saying why', async () => {
    const { code, stderr, stdout } = await runCli(['--port', '0', '--secret', 'short']);
    expect(code).toBe(2);
    expect(stderr).toContain('at least 16 bytes');
    expect(stdout).not.toContain('listening');
  });

  it('exits 1 on a busy --port, naming the address', async () => {
    const port = await busyPort();
    const { code, stderr } = await runCli(['--port', String(port), '--secret', 'a-long-enough-secret-0123']);
    expect(code).toBe(1);
    expect(stderr).toContain(`127.0.0.1:${port} is already in use`);
  });
});

describe('handset-signal reads the token secret handset-broker reads', () => {
  it('starts with HANDSET_TOKEN_SECRET, the one variable both servers read', async () => {
    const run = await runCli(['--port', '0'], { HANDSET_TOKEN_SECRET: 'a-long-enough-secret-0123' }, true);
    expect(run.stdout).toContain('listening on ws://127.0.0.1:');
    expect(run.code).toBe(0);
  });

  it('still reads the deprecated HANDSET_SECRET, and says it is deprecated', async () => {
    const run = await runCli(['--port', '0'], { HANDSET_SECRET: 'a-long-enough-secret-0123' }, true);
    expect(run.stdout).toContain('listening on ws://127.0.0.1:');
    expect(run.stderr).toContain('HANDSET_SECRET is deprecated');
    expect(run.code).toBe(0);
  });
});

describe('handset-signal arguments', () => {
  it.each([
    ['an unknown flag', ['--port', '0', '--dev', '--no-such-flag'], 'no-such-flag'],
    ['an unknown log level', ['--port', '0', '--dev', '--log-level', 'loud'], '--log-level must be one of'],
    ['a port that is not one', ['--port', 'eighty', '--dev'], '--port must be a port number'],
    ['--redis-ca without --redis', ['--port', '0', '--dev', '--redis-ca', 'ca.pem'], 'need --redis'],
  ])('exits 2 with the usage on %s', async (_label, args, message) => {
    const { code, stderr } = await runCli(args);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
    expect(stderr).toContain('Usage: handset-signal');
  });
});

describe('handset-signal with a Redis that needs a password', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startRedis({ args: (port) => ['--port', String(port), '--requirepass', REDIS_PASSWORD] });
  });
  afterAll(() => redis.stop());
  const secret = 'a-long-enough-secret-0123';

  it('starts with the password from HANDSET_REDIS_PASSWORD, and stops on SIGTERM with 0', async () => {
    const run = await runCli(
      ['--port', '0', '--secret', secret, '--redis', redis.url],
      { HANDSET_REDIS_PASSWORD: REDIS_PASSWORD },
      true,
    );
    expect(run.stdout).toContain('listening on ws://127.0.0.1:');
    expect(run.code).toBe(0);
  });

  it('exits 1 without it, saying the cluster is unavailable and why', async () => {
    const { code, stderr } = await runCli(['--port', '0', '--secret', secret, '--redis', redis.url]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/cannot use Redis at redis:\/\/127\.0\.0\.1:\d+\/?: .*(NOAUTH|auth)/i);
    expect(stderr).toContain('(cluster-unavailable)');
  });
});
