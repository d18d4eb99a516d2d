// The server process: starts one server under test on 127.0.0.1:0 and reports its memory on request.
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

async function start(args: unknown): Promise<{ url: string; wsUrl?: string }> {
  const { kind, secret, redisUrl, nodeId } = args as StartServerArgs;
  if (running) throw new Error('a server is already running in this process');
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
}

serveCommands({ start, memory: () => memorySnapshot(), stop }, stop);
