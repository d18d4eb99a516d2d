// PeerJS's own server (npm `peer`), as its README starts it, with the client cap and liveness timeout
// raised so that neither ends the bench's connections.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PeerServer } from 'peer';
import type { RunningServer } from './running-server.js';

export const PEERJS_KEY = 'peerjs';

export async function startPeerJsServer(): Promise<RunningServer> {
  const http = await new Promise<Server>((resolve) => {
    PeerServer(
      {
        port: 0,
        host: '127.0.0.1',
        path: '/',
        key: PEERJS_KEY,
        concurrent_limit: 1_000_000,
        alive_timeout: 10 * 60 * 1000,
      },
      (server) => resolve(server as Server),
    );
  });
  const { port } = http.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}/`,
    async close() {
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
