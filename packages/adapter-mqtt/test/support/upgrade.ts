// A WebSocket upgrade as a browser page at some Origin would send it, reduced to the HTTP answer.
import { WebSocket } from 'ws';

/** The HTTP status an upgrade from `origin` is answered with (101 when the WebSocket opens). */
export function upgradeStatus(url: string, origin?: string): Promise<number> {
  const socket = new WebSocket(url, 'mqtt', origin === undefined ? {} : { origin });
  return new Promise((resolve, reject) => {
    socket.once('open', () => {
      socket.terminate();
      resolve(101);
    });
    socket.once('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      socket.terminate();
    });
    socket.once('error', reject);
  });
}
