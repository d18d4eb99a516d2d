// The broker's edges: the CLI as a user runs it, the browser stub, and misconfiguration.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createMqttTransport } from '@handset/adapter-mqtt';
import { startBroker } from '@handset/adapter-mqtt/broker';
import { HandsetError } from '@handset/core';
import { waitOpen } from '@handset/core/testing';
import { describe, expect, it } from 'vitest';
import * as browserStub from '../src/broker/browser.js';

const cli = fileURLToPath(new URL('../src/broker/cli.ts', import.meta.url));
// Run from the package directory so `--import tsx` resolves this package's own devDependency.
const packageDir = fileURLToPath(new URL('..', import.meta.url));

describe('handset-broker CLI', () => {
  it('listens on the given ports in dev mode, says so loudly, and stops on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', cli, '--port', '0', '--ws-port', '0', '--dev'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        cwd: packageDir,
      },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const banner = await new Promise<string>((resolve, reject) => {
        let stdout = '';
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
          if (stdout.includes('\n')) resolve(stdout);
        });
        child.once('exit', () => reject(new Error(`CLI exited early: ${stderr}`)));
      });
      const [, tcpUrl] =
        /listening on (mqtt:\/\/127\.0\.0\.1:\d+) and (ws:\/\/127\.0\.0\.1:\d+)/.exec(banner) ?? [];
      expect(tcpUrl).toBeDefined();
      expect(stderr).toContain('"event":"dev-mode"');
      const transport = createMqttTransport({ url: tcpUrl!, userId: 'anyone', clientId: 'anyone:cli' });
      await waitOpen(transport);
      transport.close();
      await transport.ended;
    } finally {
      if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, 'SIGTERM');
    }
    expect(await exited).toBe(0);
  });

  it('refuses to start without a secret outside dev mode', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', cli, '--port', '0', '--ws-port', '0'], {
      stdio: ['ignore', 'ignore', 'pipe'],
      cwd: packageDir,
      env: { ...process.env, HANDSET_BROKER_SECRET: '' },
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
