// The ceiling: a ws relay with no authentication and no validation. It reads `to` from the JSON and
// forwards the original bytes; nothing a real signaling server can do costs less in Node.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import type { RunningServer } from './running-server.js';

export async function startBareRelay(): Promise<RunningServer> {
  const http = createServer((_request, response) => response.writeHead(404).end());
  const wss = new WebSocketServer({ server: http, perMessageDeflate: false, maxPayload: 128 * 1024 });
  const sockets = new Map<string, WebSocket>();
  wss.on('connection', (socket, request) => {
    const id = new URL(request.url ?? '/', 'http://relay').searchParams.get('id');
    if (!id) {
      socket.close(1008, 'id required');
      return;
    }
    sockets.set(id, socket);
    socket.send('{"kind":"ready"}');
    socket.on('message', (data, isBinary) => {
      try {
        const { to } = JSON.parse(data.toString()) as { to?: unknown };
        const target = typeof to === 'string' ? sockets.get(to) : undefined;
        target?.send(data, { binary: isBinary });
      } catch {
        // Not JSON: dropped, as a relay without validation would.
      }
    });
    socket.on('close', () => {
      if (sockets.get(id) === socket) sockets.delete(id);
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}/`,
    async close() {
      for (const socket of wss.clients) socket.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
