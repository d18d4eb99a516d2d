// handset-signal's token policy flags: --token-max-lifetime is honoured by the server it starts, and a value
// the token code refuses stops the CLI with exit 2 before it listens.
import { createToken } from '@handset/token';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { type CliRun, runSignalCli } from './support/signal-cli.js';

const SECRET = 'cli-token-policy-secret-0123456789';

function runCli(args: string[]): CliRun {
  return runSignalCli(SECRET, args);
}

/** `welcome`, or the code of the error frame the server refused the `hello` with. */
function helloOutcome(url: string, token: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    let refusal = 'closed';
    socket.on('open', () => socket.send(JSON.stringify({ kind: 'hello', token })));
    socket.on('message', (data) => {
      const frame = JSON.parse(String(data)) as { kind?: string; code?: string };
      if (frame.kind === 'welcome') {
        resolve('welcome');
        socket.close();
      } else if (frame.kind === 'error') refusal = frame.code ?? 'error';
    });
    socket.on('close', () => resolve(refusal));
    socket.on('error', reject);
  });
}

describe('handset-signal --token-max-lifetime', () => {
  it('refuses a hello whose token outlives the given lifetime, and welcomes a shorter one', async () => {
    const run = runCli(['--token-max-lifetime', '3600', '--log-level', 'error']);
    try {
      const url = await run.url;
      expect(url).not.toBeNull();
      // Two hours is inside the default 7 days: only the flag refuses it.
      expect(await helloOutcome(url ?? '', createToken('alice', SECRET, 7200))).toBe(
        'token-lifetime-too-long',
      );
      expect(await helloOutcome(url ?? '', createToken('alice', SECRET, 1800))).toBe('welcome');
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
      expect(await run.url).toBeNull();
    },
  );

  it('exits 2 on a negative --token-clock-skew, before it listens', async () => {
    const run = runCli(['--token-clock-skew=-1']);
    const { code, stderr } = await run.exited;
    expect(code).toBe(2);
    expect(stderr).toContain('clockSkewSeconds');
    expect(await run.url).toBeNull();
  });
});
