// PeerJS's server with an 'error' listener, in its own process, for the hostile-load measurement. Started
// as its README shows (no listener), the server exits on the first malformed JSON frame (an unhandled
// 'error' event); with this listener, which an operator would add after the first crash, it survives.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PeerServer } from 'peer';
import { serveCommands } from '../harness/child.js';
import { PEERJS_KEY } from './peerjs-server.js';

let http: Server | null = null;
let errors = 0;

async function start(): Promise<{ url: string }> {
  const server = await new Promise<Server>((resolve) => {
    const app = PeerServer(
      {
        port: 0,
        host: '127.0.0.1',
        path: '/',
        key: PEERJS_KEY,
        concurrent_limit: 1_000_000,
        alive_timeout: 10 * 60 * 1000,
      },
      (created) => resolve(created as Server),
    );
    app.on('error', () => {
      errors += 1;
    });
  });
  http = server;
  const { port } = server.address() as AddressInfo;
  return { url: `ws://127.0.0.1:${port}/` };
}

async function stop(): Promise<{ errors: number }> {
  const server = http;
  http = null;
  if (server) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  return { errors };
}

serveCommands({ start, stop }, async () => {
  await stop();
});
