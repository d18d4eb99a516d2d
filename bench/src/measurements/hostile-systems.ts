// The systems under test of the hostile-load measurement, each in its own process: Handset's CLI as an
// operator runs it, PeerJS's server with an 'error' listener, the bare relay; and what /proc tells of them.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { startChild } from '../harness/child.js';
import { startServerProcess, stopServerProcess } from '../harness/processes.js';
import type { ProbeTarget } from '../load/honest-probe.js';
import type { WsKind } from '../load/ws-links.js';
import { PEERJS_KEY } from '../servers/peerjs-server.js';

/** The built CLI of this tree; `HANDSET_SIGNAL_CLI` points at another build (to compare before/after a change). */
const handsetCli =
  process.env.HANDSET_SIGNAL_CLI ??
  fileURLToPath(new URL('../../../packages/adapter-ws/dist/server/cli.js', import.meta.url));
const guardedPeerJsPath = fileURLToPath(new URL('../servers/peerjs-guarded-child.ts', import.meta.url));

export interface SystemUnderTest {
  target: Omit<ProbeTarget, 'secret'>;
  pid: number;
  stop(): Promise<void>;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** `handset-signal --port 0`, ready when it prints its URL (30 s, for a loaded machine); stopped by its PID. */
async function startHandsetCli(secret: string): Promise<{ url: string; pid: number; stop(): Promise<void> }> {
  const child = spawn(
    process.execPath,
    [handsetCli, '--port', '0', '--host', '127.0.0.1', '--secret', secret, '--log-level', 'warn'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not start handset-signal');
  let stderr = '';
  // Drained so that the server never blocks on a full pipe; the tail is kept for a failed start.
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-2_000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    process.kill(pid, 'SIGTERM');
    const late = new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), 5_000).unref());
    if ((await Promise.race([exited.then(() => 'done' as const), late])) === 'late') {
      process.kill(pid, 'SIGKILL');
      await exited;
    }
  };
  const url = await new Promise<string | null>((resolve) => {
    let stdout = '';
    const timer = setTimeout(() => resolve(null), 30_000);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const found = /listening on (ws:\/\/\S+)/.exec(stdout)?.[1];
      if (found) {
        clearTimeout(timer);
        resolve(found);
      }
    });
    exited.then(() => {
      clearTimeout(timer);
      resolve(null);
    });
  });
  if (!url) {
    await stop();
    throw new Error(`handset-signal did not start: ${stderr.trim()}`);
  }
  return { url, pid, stop };
}

/**
 * Handset as an operator runs it (the CLI, its own process, default limits); PeerJS's server with an
 * 'error' listener (without one it does not survive the mix: see `peerJsAsDocumented`); the bare relay as
 * the other measurements run it.
 */
export async function startSystem(kind: WsKind, secret: string): Promise<SystemUnderTest> {
  if (kind === 'handset') {
    const daemon = await startHandsetCli(secret);
    return {
      target: { kind, url: daemon.url, healthUrl: `${daemon.url.replace(/^ws/, 'http')}health` },
      pid: daemon.pid,
      stop: daemon.stop,
    };
  }
  if (kind === 'peerjs') {
    const child = startChild(guardedPeerJsPath);
    const { url } = await child.call<{ url: string }>('start', {}, 60_000);
    return {
      target: { kind, url, healthUrl: url.replace(/^ws/, 'http') },
      pid: child.pid,
      async stop() {
        if (isAlive(child.pid)) await child.call('stop', {}, 15_000).catch(() => {});
        await child.stop();
      },
    };
  }
  const server = await startServerProcess({ kind, secret });
  return {
    target: { kind, url: server.url, healthUrl: server.url.replace(/^ws/, 'http') },
    pid: server.child.pid,
    async stop() {
      if (isAlive(server.child.pid)) await stopServerProcess(server);
      else await server.child.stop();
    },
  };
}

/** PeerJS's server started as its README shows, sent one malformed JSON frame: does its process survive? */
export async function peerJsAsDocumented(secret: string): Promise<boolean> {
  const server = await startServerProcess({ kind: 'peerjs', secret });
  const pid = server.child.pid;
  try {
    const socket = new WebSocket(`${server.url}peerjs?key=${PEERJS_KEY}&id=probe&token=probe`);
    await new Promise<void>((resolve, reject) => {
      socket.once('message', () => resolve());
      socket.once('error', reject);
    });
    socket.send('{"type":"OFFER","dst":');
    const deadline = Date.now() + 3_000;
    while (isAlive(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    socket.terminate();
    return isAlive(pid);
  } finally {
    if (isAlive(pid)) await stopServerProcess(server);
    else await server.child.stop();
  }
}

/** Nanoseconds the main thread of `pid` (its event loop) has waited on a run queue for a core (/proc/<pid>/schedstat). */
export function runQueueWaitNs(pid: number): number {
  return Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[1]);
}
