// Forwards WebSocket upgrades on a path of the page's origin (`/signal`, `/mqtt`) to a server on this
// machine, so the browser needs one origin and one port, over http and https alike.
import type { IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';

export interface UpgradeRoute {
  /** The path the page connects to, e.g. `/signal`. */
  path: string;
  /** The local server's port (on 127.0.0.1) that speaks WebSocket at `/`. */
  port: number;
}

export type UpgradeHandler = (request: IncomingMessage, socket: Duplex, head: Buffer) => void;

export interface UpgradeProxy {
  /** Forwards `request` if its path has a route, else answers 404. */
  forward: UpgradeHandler;
  /** How many forwarded connections are open (browser side and server side count as one). */
  readonly openCount: number;
  /**
   * Destroys every forwarded connection. An upgraded socket no longer belongs to the HTTP server, so
   * `server.close()` would wait for it until the proxied server hung up: shutdown calls this first.
   */
  destroyAll(): void;
}

function requestHead(request: IncomingMessage): string {
  const lines = ['GET / HTTP/1.1'];
  const raw = request.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) lines.push(`${raw[i]}: ${raw[i + 1]}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/** Answers an upgrade request without upgrading, and closes the socket. */
export function refuseUpgrade(socket: Duplex, status: '403 Forbidden' | '404 Not Found', body: string): void {
  socket.end(
    `HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Type: text/plain\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

export function createUpgradeProxy(routes: readonly UpgradeRoute[]): UpgradeProxy {
  const open = new Set<{ browser: Duplex; upstream: Socket }>();
  const forward: UpgradeHandler = (request, socket, head) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const route = routes.find((r) => r.path === path);
    if (!route) {
      refuseUpgrade(socket, '404 Not Found', 'unknown-path');
      return;
    }
    const upstream = connect(route.port, '127.0.0.1');
    const pair = { browser: socket, upstream };
    open.add(pair);
    const finish = () => {
      open.delete(pair);
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
  return {
    forward,
    get openCount() {
      return open.size;
    },
    destroyAll() {
      for (const { browser, upstream } of [...open]) {
        upstream.destroy();
        browser.destroy();
      }
      open.clear();
    },
  };
}
