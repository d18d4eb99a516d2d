// Forwards WebSocket upgrades on a path of the page's origin (`/signal`, `/mqtt`) to a server on this
// machine, so the browser needs one origin and one port, over http and https alike.
import type { IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import type { Duplex } from 'node:stream';

export interface UpgradeRoute {
  /** The path the page connects to, e.g. `/signal`. */
  path: string;
  /** The local server's port (on 127.0.0.1) that speaks WebSocket at `/`. */
  port: number;
}

export type UpgradeHandler = (request: IncomingMessage, socket: Duplex, head: Buffer) => void;

function requestHead(request: IncomingMessage): string {
  const lines = ['GET / HTTP/1.1'];
  const raw = request.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) lines.push(`${raw[i]}: ${raw[i + 1]}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/** An `upgrade` listener for node:http/https servers; unknown paths are refused with 404. */
export function createUpgradeProxy(routes: readonly UpgradeRoute[]): UpgradeHandler {
  return (request, socket, head) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const route = routes.find((r) => r.path === path);
    if (!route) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    const upstream = connect(route.port, '127.0.0.1');
    const finish = () => {
      upstream.destroy();
      socket.destroy();
    };
    upstream.on('connect', () => {
      upstream.write(requestHead(request));
      if (head.length > 0) upstream.write(head);
      socket.pipe(upstream).pipe(socket);
    });
    upstream.on('error', finish);
    upstream.on('close', finish);
    socket.on('error', finish);
    socket.on('close', finish);
  };
}
