// Starting and stopping the bench's own processes: server children, the load child, and system daemons
// (mosquitto, redis-server) that are always stopped by the PID this module started.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createConnection } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { ServerKind, StartServerArgs } from '../servers/server-child.js';
import { type ChildHandle, startChild } from './child.js';

const serverChildPath = fileURLToPath(new URL('../servers/server-child.ts', import.meta.url));
const loadChildPath = fileURLToPath(new URL('../load/load-child.ts', import.meta.url));

export const benchSecret = (): string => randomBytes(24).toString('base64url');

export interface ServerProcess {
  kind: ServerKind;
  child: ChildHandle;
  url: string;
  wsUrl?: string;
}

export async function startServerProcess(args: StartServerArgs): Promise<ServerProcess> {
  const child = startChild(serverChildPath);
  try {
    const started = await child.call<{ url: string; wsUrl?: string }>('start', args, 60_000);
    return { kind: args.kind, child, ...started };
  } catch (error) {
    await child.stop();
    throw error;
  }
}

export async function stopServerProcess(server: ServerProcess): Promise<void> {
  await server.child.call('stop', {}, 15_000).catch(() => {});
  await server.child.stop();
}

export function startLoadProcess(): ChildHandle {
  return startChild(loadChildPath, { maxOldSpaceMb: 4096 });
}

export interface LoadProblems {
  errorFrames: number;
  unexpectedCloses: number;
  lastError: string;
}

/** A daemon such as mosquitto or redis-server, started by the bench and stopped by its PID. */
export interface Daemon {
  pid: number;
  stop(): Promise<void>;
}

export async function startDaemon(command: string, args: string[], port: number): Promise<Daemon> {
  const process_: ChildProcess = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  process_.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-2000);
  });
  const pid = process_.pid;
  if (pid === undefined) throw new Error(`could not start ${command}`);
  const exited = new Promise<void>((resolve) => process_.once('exit', () => resolve()));
  const stop = async () => {
    if (process_.exitCode !== null || process_.signalCode !== null) return;
    process.kill(pid, 'SIGTERM');
    const late = new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), 5_000).unref());
    if ((await Promise.race([exited.then(() => 'done' as const), late])) === 'late') {
      process.kill(pid, 'SIGKILL');
      await exited;
    }
  };
  const deadline = Date.now() + 10_000;
  while (!(await accepts(port))) {
    if (process_.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`${command} did not listen on 127.0.0.1:${port}: ${stderr.trim()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { pid, stop };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
