// Debian's redis-server on a free port of 127.0.0.1, no persistence; stopped by the PID the bench started.
import { execFileSync } from 'node:child_process';
import { freePort } from '../harness/free-port.js';
import { startDaemon } from '../harness/processes.js';

export interface Redis {
  url: string;
  stop(): Promise<void>;
}

export function redisVersion(): string {
  return /v=(\S+)/.exec(execFileSync('redis-server', ['--version']).toString())?.[1] ?? '?';
}

export async function startRedis(): Promise<Redis> {
  const port = await freePort();
  const daemon = await startDaemon(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--loglevel',
      'warning',
    ],
    port,
  );
  return { url: `redis://127.0.0.1:${port}`, stop: () => daemon.stop() };
}
