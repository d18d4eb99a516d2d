// The server process of the TURN measurement: Handset's signaling server with the bench limits and a
// coturn relay configured, so every welcome carries fresh TURN credentials as an operator's would.
import { startSignalServer } from '@handset/adapter-ws/server';
import { serveCommands } from '../harness/child.js';
import { BENCH_LIMITS } from './handset-server.js';

interface StartArgs {
  secret: string;
  turnUrl: string;
  turnSecret: string;
}

let close: (() => Promise<void>) | null = null;

async function start(args: unknown): Promise<{ url: string }> {
  const { secret, turnUrl, turnSecret } = args as StartArgs;
  if (close) throw new Error('a server is already running in this process');
  const server = await startSignalServer({
    secret,
    limits: BENCH_LIMITS,
    turn: { urls: [turnUrl], secret: turnSecret },
  });
  close = () => server.close({ drainMs: 0 });
  return { url: server.url };
}

async function stop(): Promise<void> {
  const closing = close;
  close = null;
  await closing?.();
}

serveCommands({ start, stop }, stop);
