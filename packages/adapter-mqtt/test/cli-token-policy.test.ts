// handset-broker's token policy flags: --token-max-lifetime is honoured by the broker it starts, and a value
// the token code refuses stops the CLI with exit 2 before it listens.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createToken } from '@handset/adapter-mqtt/broker';
import { describe, expect, it } from 'vitest';
import { connectReason } from './support/raw-client.js';

const cli = fileURLToPath(new URL('../src/broker/cli.ts', import.meta.url));
// Run from the package directory so `--import tsx` resolves this package's own devDependency.
const packageDir = fileURLToPath(new URL('..', import.meta.url));
const SECRET = 'cli-token-policy-secret-0123456789';

interface Run {
  /** The TCP URL once the banner is out, or null if the CLI exited first. */
  tcpUrl: Promise<string | null>;
  exited: Promise<{ code: number | null; stderr: string }>;
  stop(): void;
}

function runCli(args: string[]): Run {
  const child = spawn(process.execPath, ['--import', 'tsx', cli, '--port', '0', '--ws-port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd: packageDir,
    env: { ...process.env, HANDSET_TOKEN_SECRET: SECRET, HANDSET_BROKER_SECRET: '' },
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; stderr: string }>((resolve) =>
    child.on('exit', (code) => resolve({ code, stderr })),
  );
  let stdout = '';
  const tcpUrl = new Promise<string | null>((resolve) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const url = /listening on (mqtt:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1];
      if (url) resolve(url);
    });
    child.once('exit', () => resolve(null));
  });
  // A CLI that never stops would hang the suite: stop it by PID after a generous bound.
  const guard = setTimeout(() => stop(), 30_000);
  child.once('exit', () => clearTimeout(guard));
  function stop(): void {
    if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, 'SIGTERM');
  }
  return { tcpUrl, exited, stop };
}

describe('handset-broker --token-max-lifetime', () => {
  it('refuses a login whose token outlives the given lifetime, and accepts a shorter one', async () => {
    const run = runCli(['--token-max-lifetime', '3600', '--quiet']);
    try {
      const url = await run.tcpUrl;
      expect(url).not.toBeNull();
      // Two hours is inside the default 7 days: only the flag refuses it (CONNACK 0x86, bad user name or password).
      expect(await connectReason(url ?? '', 'alice', createToken('alice', SECRET, 7200))).toBe(134);
      expect(await connectReason(url ?? '', 'alice', createToken('alice', SECRET, 1800))).toBe(0);
    } finally {
      run.stop();
    }
    expect((await run.exited).code).toBe(0);
  });

  it.each([['0'], ['-5'], ['soon'], ['']])(
    'exits 2 on --token-max-lifetime %j, before it listens',
    async (value) => {
      // `=` keeps a value such as -5 from reading as a flag.
      const run = runCli([`--token-max-lifetime=${value}`]);
      const { code, stderr } = await run.exited;
      expect(code).toBe(2);
      expect(stderr).toContain('maxLifetimeSeconds');
      expect(await run.tcpUrl).toBeNull();
    },
  );

  it('exits 2 on a negative --token-clock-skew, before it listens', async () => {
    const run = runCli(['--token-clock-skew=-1']);
    const { code, stderr } = await run.exited;
    expect(code).toBe(2);
    expect(stderr).toContain('clockSkewSeconds');
    expect(await run.tcpUrl).toBeNull();
  });
});
