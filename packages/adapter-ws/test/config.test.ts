// Bad configuration stops the server at start with a typed error (and the CLI with a message and a
// non-zero exit), instead of starting and refusing every login in the log only.
import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import { HandsetError } from '@handset/core';
import { afterEach, describe, expect, it } from 'vitest';
import { SignalingError, startSignalServer } from '../src/server/index.js';

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

function runCli(args: string[]): Promise<{ code: number | null; stderr: string; stdout: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', cli, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd: packageDir,
    env: { ...process.env, HANDSET_SECRET: '' },
  });
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
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
