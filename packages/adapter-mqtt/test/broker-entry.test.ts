// The broker's edges: the CLI as a user runs it, the browser stub, and misconfiguration.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createMqttTransport } from '@handset/adapter-mqtt';
import { createToken, startBroker } from '@handset/adapter-mqtt/broker';
import { HandsetError } from '@handset/core';
import { waitOpen } from '@handset/core/testing';
import { firstValueFrom, timeout } from 'rxjs';
import { describe, expect, it } from 'vitest';
import * as browserStub from '../src/broker/browser.js';
import { connectReason, rawClient } from './support/raw-client.js';
import { upgradeStatus } from './support/upgrade.js';

const cli = fileURLToPath(new URL('../src/broker/cli.ts', import.meta.url));
// Run from the package directory so `--import tsx` resolves this package's own devDependency.
const packageDir = fileURLToPath(new URL('..', import.meta.url));

interface RunningCli {
  tcpUrl: string;
  wsUrl: string;
  stderr(): string;
  /** SIGTERM by PID; resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** Starts the CLI as a user would and waits for its banner. */
async function startCli(args: string[], env: Record<string, string> = {}): Promise<RunningCli> {
  const child = spawn(process.execPath, ['--import', 'tsx', cli, '--port', '0', '--ws-port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd: packageDir,
    env: { ...process.env, HANDSET_TOKEN_SECRET: '', HANDSET_BROKER_SECRET: '', ...env },
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const stop = async () => {
    if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, 'SIGTERM');
    return exited;
  };
  try {
    const banner = await new Promise<string>((resolve, reject) => {
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes('\n')) resolve(stdout);
      });
      child.once('exit', () => reject(new Error(`CLI exited early: ${stderr}`)));
    });
    const [, tcpUrl, wsUrl] =
      /listening on (mqtt:\/\/127\.0\.0\.1:\d+) and (ws:\/\/127\.0\.0\.1:\d+)/.exec(banner) ?? [];
    if (tcpUrl === undefined || wsUrl === undefined) throw new Error(`no URL in the banner: ${banner}`);
    return { tcpUrl, wsUrl, stderr: () => stderr, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

describe('handset-broker CLI', () => {
  it('listens on the given ports in dev mode, says so loudly, and stops on SIGTERM', async () => {
    const running = await startCli(['--dev']);
    try {
      expect(running.stderr()).toContain('"event":"dev-mode"');
      const transport = createMqttTransport({
        url: running.tcpUrl,
        userId: 'anyone',
        clientId: 'anyone:cli',
      });
      await waitOpen(transport);
      transport.close();
      await transport.ended;
    } finally {
      expect(await running.stop()).toBe(0);
    }
  });

  it('reads the token secret from HANDSET_TOKEN_SECRET, the one handset-signal reads', async () => {
    const secret = 'cli-secret-0123456789abcdef';
    const running = await startCli([], { HANDSET_TOKEN_SECRET: secret });
    try {
      expect(await connectReason(running.tcpUrl, 'alice', createToken('alice', secret, 60))).toBe(0);
      expect(await connectReason(running.tcpUrl, 'alice', createToken('alice', `${secret}-other`, 60))).toBe(
        0x86,
      );
      expect(running.stderr()).not.toContain('deprecated');
    } finally {
      expect(await running.stop()).toBe(0);
    }
  });

  it('still reads the deprecated HANDSET_BROKER_SECRET, and says it is deprecated', async () => {
    const secret = 'cli-secret-0123456789abcdef';
    const running = await startCli([], { HANDSET_BROKER_SECRET: secret });
    try {
      expect(await connectReason(running.tcpUrl, 'alice', createToken('alice', secret, 60))).toBe(0);
      expect(running.stderr()).toContain('HANDSET_BROKER_SECRET is deprecated');
    } finally {
      expect(await running.stop()).toBe(0);
    }
  });

  it('takes --allowed-origin (repeatable) for its WebSocket listener; other origins get 403', async () => {
    const running = await startCli([
      '--dev',
      '--allowed-origin',
      'https://app.example.com',
      '--allowed-origin',
      'http://intranet.example:*',
    ]);
    try {
      expect(await upgradeStatus(running.wsUrl, 'https://app.example.com')).toBe(101);
      expect(await upgradeStatus(running.wsUrl, 'http://intranet.example:8080')).toBe(101);
      // The list replaces dev mode's loopback default.
      expect(await upgradeStatus(running.wsUrl, 'http://localhost:5173')).toBe(403);
      // The log line travels a pipe the 403 did not: wait for it.
      await expect.poll(() => running.stderr(), { timeout: 5_000 }).toContain('"event":"origin-refused"');
    } finally {
      expect(await running.stop()).toBe(0);
    }
  });

  it('takes limits by name, e.g. one connection per address', async () => {
    const secret = 'cli-secret-0123456789abcdef';
    const running = await startCli(['--limit', 'maxConnectionsPerAddress=1'], {
      HANDSET_TOKEN_SECRET: secret,
    });
    try {
      const first = await rawClient(running.tcpUrl, 'alice', createToken('alice', secret, 60));
      expect(await connectReason(running.tcpUrl, 'bob', createToken('bob', secret, 60))).toBe(-1);
      await first.endAsync();
      expect(running.stderr()).toContain('too-many-connections-from-address');
    } finally {
      expect(await running.stop()).toBe(0);
    }
  });

  it('refuses an unknown or non-positive limit', async () => {
    for (const limit of ['noSuchLimit=1', 'maxPacketBytes=0', 'maxPacketBytes']) {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', cli, '--port', '0', '--ws-port', '0', '--dev', '--limit', limit],
        {
          stdio: ['ignore', 'ignore', 'pipe'],
          cwd: packageDir,
        },
      );
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      const code = await new Promise<number | null>((resolve) => child.on('exit', (exit) => resolve(exit)));
      expect({ limit, code, said: stderr.includes('bad limit') }).toEqual({ limit, code: 2, said: true });
    }
  });

  it('hands each connection TURN credentials from HANDSET_TURN_URLS / _SECRET / _TTL, never logging them', async () => {
    const turnSecret = 'coturn-static-auth-secret';
    const running = await startCli(['--dev'], {
      HANDSET_TURN_URLS: 'turn:127.0.0.1:3478?transport=udp, turn:127.0.0.1:3478?transport=tcp',
      HANDSET_TURN_SECRET: turnSecret,
      HANDSET_TURN_TTL: '600',
    });
    try {
      const transport = createMqttTransport({ url: running.tcpUrl, userId: 'alice', clientId: 'alice:cli' });
      const [server] = await firstValueFrom(transport.iceServers$.pipe(timeout(10_000)));
      transport.close();
      await transport.ended;
      expect(server?.urls).toEqual([
        'turn:127.0.0.1:3478?transport=udp',
        'turn:127.0.0.1:3478?transport=tcp',
      ]);
      const expiry = Number(/^(\d+):alice$/.exec(server?.username ?? '')?.[1]);
      // The ttl from the environment: 600 s from now (a few seconds of slack for a loaded machine).
      expect(expiry - Date.now() / 1000).toBeGreaterThan(590);
      expect(expiry - Date.now() / 1000).toBeLessThanOrEqual(601);
      expect(running.stderr()).not.toContain(turnSecret);
      expect(running.stderr()).not.toContain(server!.credential!);
    } finally {
      expect(await running.stop()).toBe(0);
    }
  });

  it('refuses half a TURN configuration, or one the broker would refuse (exit 2)', async () => {
    const cases: Record<string, string>[] = [
      { HANDSET_TURN_URLS: 'turn:127.0.0.1:3478' },
      { HANDSET_TURN_SECRET: 'coturn-secret' },
      { HANDSET_TURN_URLS: 'http://127.0.0.1:3478', HANDSET_TURN_SECRET: 'coturn-secret' },
      {
        HANDSET_TURN_URLS: 'turn:127.0.0.1:3478',
        HANDSET_TURN_SECRET: 'coturn-secret',
        HANDSET_TURN_TTL: '5',
      },
    ];
    for (const env of cases) {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', cli, '--port', '0', '--ws-port', '0', '--dev'],
        {
          stdio: ['ignore', 'ignore', 'pipe'],
          cwd: packageDir,
          env: {
            ...process.env,
            HANDSET_TURN_URLS: '',
            HANDSET_TURN_SECRET: '',
            HANDSET_TURN_TTL: '',
            ...env,
          },
        },
      );
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      // A broker that ignored the configuration would run on: stopped by its PID so no process outlives the test.
      const code = await new Promise<number | null>((resolve) => {
        const guard = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.on('exit', (exit) => {
          clearTimeout(guard);
          resolve(exit);
        });
      });
      expect({ env, code, said: /HANDSET_TURN/.test(stderr) }).toEqual({ env, code: 2, said: true });
      expect(stderr).not.toContain('coturn-secret');
    }
  });

  it('refuses to start without a secret outside dev mode', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', cli, '--port', '0', '--ws-port', '0'], {
      stdio: ['ignore', 'ignore', 'pipe'],
      cwd: packageDir,
      env: { ...process.env, HANDSET_TOKEN_SECRET: '', HANDSET_BROKER_SECRET: '' },
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', (exit) => resolve(exit)));
    expect(code).toBe(2);
    expect(stderr).toContain('a secret is required');
  });
});

describe('startBroker', () => {
  it('refuses to start without a secret unless in dev mode', async () => {
    await expect(startBroker({})).rejects.toMatchObject({ code: 'invalid-argument' });
  });

  it('refuses a TURN relay it could not serve: no URLs, a non-TURN URL, a ttl out of range', async () => {
    for (const turn of [
      { urls: [], secret: 'coturn-secret' },
      { urls: ['stun:127.0.0.1:3478'], secret: 'coturn-secret' },
      { urls: ['turn:127.0.0.1:3478'], secret: '' },
      { urls: ['turn:127.0.0.1:3478'], secret: 'coturn-secret', ttlSeconds: 30 },
      { urls: ['turn:127.0.0.1:3478'], secret: 'coturn-secret', ttlSeconds: 600, refreshEveryMs: 600_000 },
    ]) {
      await expect(startBroker({ dev: true, turn })).rejects.toMatchObject({ code: 'invalid-argument' });
    }
  });

  it('can run with only one listener', async () => {
    const broker = await startBroker({ dev: true, wsPort: null });
    expect(broker.wsUrl).toBeNull();
    expect(broker.tcpUrl).toMatch(/^mqtt:\/\/127\.0\.0\.1:\d+$/);
    await broker.close();
  });
});

describe('the browser build of the broker entry point', () => {
  it('explains that the broker runs in Node only', () => {
    for (const entry of [
      browserStub.startBroker,
      browserStub.createAccessControl,
      browserStub.createToken,
      browserStub.verifyToken,
    ]) {
      expect(() => entry()).toThrow(HandsetError);
      expect(() => entry()).toThrow(/runs in Node only/);
    }
  });
});
