// The server process: starts one server under test on 127.0.0.1:0 and reports its memory on request.
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { memorySnapshot, serveCommands } from '../harness/child.js';
import { startAedesBroker } from './aedes-broker.js';
import { startBareRelay } from './bare-relay.js';
import { startHandsetServer } from './handset-server.js';
import { startPeerJsServer } from './peerjs-server.js';
import type { RunningServer } from './running-server.js';

export type ServerKind = 'handset' | 'peerjs' | 'bare' | 'aedes';

export interface StartServerArgs {
  kind: ServerKind;
  secret: string;
  redisUrl?: string;
  nodeId?: string;
}

let running: RunningServer | null = null;

/**
 * `HANDSET_BENCH_CPU_PROF=<dir>`: the server of kind `HANDSET_BENCH_CPU_PROF_KIND` (default handset) is
 * profiled from its start to its stop, as `node --cpu-prof` would (which NODE_OPTIONS may not carry), and
 * the profile written to `<dir>/<kind>-<pid>.cpuprofile`.
 */
let profiler: { session: Session; kind: ServerKind } | null = null;

async function startProfiler(kind: ServerKind): Promise<void> {
  if (!process.env.HANDSET_BENCH_CPU_PROF) return;
  if (kind !== (process.env.HANDSET_BENCH_CPU_PROF_KIND ?? 'handset')) return;
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  profiler = { session, kind };
}

async function stopProfiler(): Promise<void> {
  const dir = process.env.HANDSET_BENCH_CPU_PROF;
  const running_ = profiler;
  profiler = null;
  if (!running_ || !dir) return;
  const { profile } = await running_.session.post('Profiler.stop');
  await writeFile(join(dir, `${running_.kind}-${process.pid}.cpuprofile`), JSON.stringify(profile));
  running_.session.disconnect();
}

async function start(args: unknown): Promise<{ url: string; wsUrl?: string }> {
  const { kind, secret, redisUrl, nodeId } = args as StartServerArgs;
  if (running) throw new Error('a server is already running in this process');
  await startProfiler(kind);
  if (kind === 'handset') {
    running = await startHandsetServer({
      secret,
      ...(redisUrl ? { redisUrl } : {}),
      ...(nodeId ? { nodeId } : {}),
    });
  } else if (kind === 'peerjs') running = await startPeerJsServer();
  else if (kind === 'bare') running = await startBareRelay();
  else running = await startAedesBroker({ secret });
  return { url: running.url, ...(running.wsUrl ? { wsUrl: running.wsUrl } : {}) };
}

async function stop(): Promise<void> {
  const server = running;
  running = null;
  await server?.close();
  await stopProfiler();
}

serveCommands({ start, memory: () => memorySnapshot(), stop }, stop);
