// Runs the handset-signal command line as an operator would (a child process from source), for tests that
// check what its flags and environment do. Every run is stopped by its own PID, at the latest after 30 s.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../../src/server/cli.ts', import.meta.url));
const packageDir = fileURLToPath(new URL('../..', import.meta.url));

export interface CliRun {
  /** The server's URL once the banner is out, or null if the CLI exited first. */
  url: Promise<string | null>;
  exited: Promise<{ code: number | null; stderr: string }>;
  /** Everything written to stderr so far. */
  stderr(): string;
  stop(): void;
}

/** Starts `handset-signal --port 0 <args>` with the token secret (and any extra environment) set. */
export function runSignalCli(secret: string, args: string[], env: Record<string, string> = {}): CliRun {
  const child = spawn(process.execPath, ['--import', 'tsx', cli, '--port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd: packageDir,
    env: { ...process.env, HANDSET_TOKEN_SECRET: secret, HANDSET_REDIS_PASSWORD: '', ...env },
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; stderr: string }>((resolve) =>
    child.on('exit', (code) => resolve({ code, stderr })),
  );
  let stdout = '';
  const url = new Promise<string | null>((resolve) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const found = /listening on (ws:\/\/127\.0\.0\.1:\d+\/)/.exec(stdout)?.[1];
      if (found) resolve(found);
    });
    child.once('exit', () => resolve(null));
  });
  // A CLI that never stops would hang the suite: stop it by PID after a generous bound.
  const guard = setTimeout(() => stop(), 30_000);
  child.once('exit', () => clearTimeout(guard));
  function stop(): void {
    if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, 'SIGTERM');
  }
  return { url, exited, stop, stderr: () => stderr };
}
