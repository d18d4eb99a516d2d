// Everything the demo needs, in one process: the WebSocket signaling server and the MQTT broker (both in
// dev mode, on loopback), and the page served by Vite over http and https, with `/signal` and `/mqtt`
// forwarded so the page reaches both on its own origin.
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type RequestListener,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import { startBroker } from '@handset/adapter-mqtt/broker';
import { startSignalServer } from '@handset/adapter-ws/server';
import { createServer as createViteServer } from 'vite';
import { workspaceAlias } from '../../../vitest.workspace-alias.ts';
import { loadOrCreateCertificate } from './certificate.js';
import { createUpgradeProxy } from './socket-proxy.js';
import { withoutHmrClient } from './without-hmr-client.js';

export interface DemoServerOptions {
  /** Where the page listens. Default 127.0.0.1; `0.0.0.0` lets a LAN device join. */
  host?: string;
  /** Default 8000; 0 picks a free port. */
  httpPort?: number;
  /** Default 8443; 0 picks a free port; null: no https listener. */
  httpsPort?: number | null;
  /** Where the self-signed certificate is kept. Default `<repo>/.certs`. */
  certDir?: string;
  /** Told about the certificate and the listeners. Silent by default. */
  log?: (message: string) => void;
}

export interface DemoServer {
  readonly httpUrl: string;
  readonly httpsUrl: string | null;
  close(): Promise<void>;
}

const demoRoot = fileURLToPath(new URL('..', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const MAX_USER_ID_LENGTH = 128;

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: Server & { closeAllConnections(): void }): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}

export async function startDemoServer(options: DemoServerOptions = {}): Promise<DemoServer> {
  const host = options.host ?? '127.0.0.1';
  const log = options.log ?? (() => {});
  const signal = await startSignalServer({ dev: true, host: '127.0.0.1', port: 0 });
  const broker = await startBroker({ dev: true, host: '127.0.0.1', port: null, wsPort: 0 });
  const vite = await createViteServer({
    configFile: false,
    root: demoRoot,
    logLevel: 'warn',
    clearScreen: false,
    appType: 'spa',
    resolve: { alias: workspaceAlias },
    plugins: [withoutHmrClient()],
    // One Vite behind two listeners: no HMR socket (reload the page after editing).
    server: { middlewareMode: true, hmr: false, ws: false, fs: { allow: [repoRoot] } },
    optimizeDeps: { entries: ['index.html'] },
  });

  /** The dev token endpoint: a token for whatever id the page claims. A demo login, never a real one. */
  function issueDevToken(request: IncomingMessage, response: ServerResponse): void {
    const user = new URL(request.url ?? '/', 'http://localhost').searchParams.get('user') ?? '';
    let token: string;
    try {
      if (user.length === 0 || user.length > MAX_USER_ID_LENGTH) {
        throw new Error('a user id of 1-128 characters is required');
      }
      token = signal.issueToken(user);
    } catch (error) {
      const message = error instanceof Error ? error.message : 'bad user id';
      response.writeHead(400, { 'content-type': 'text/plain' }).end(message);
      return;
    }
    response.writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'no-store' }).end(token);
  }
  const app: RequestListener = (request, response) => {
    if (request.url?.startsWith('/demo/token')) issueDevToken(request, response);
    else vite.middlewares(request, response);
  };

  const upgrade = createUpgradeProxy([
    { path: '/signal', port: signal.port },
    { path: '/mqtt', port: broker.wsPort! },
  ]);
  const servers: (Server & { closeAllConnections(): void })[] = [];
  const http = createHttpServer(app);
  http.on('upgrade', upgrade);
  servers.push(http);
  const httpPort = await listen(http, options.httpPort ?? 8000, host);
  const httpUrl = `http://${urlHost(host)}:${httpPort}/`;

  let httpsUrl: string | null = null;
  if (options.httpsPort !== null) {
    const tls = await loadOrCreateCertificate(options.certDir ?? `${repoRoot}.certs`);
    if (tls.created)
      log(
        `made a self-signed certificate (SHA-1 ${tls.fingerprint}); browsers will ask you to accept it once`,
      );
    const https = createHttpsServer({ key: tls.key, cert: tls.cert }, app);
    https.on('upgrade', upgrade);
    servers.push(https);
    const httpsPort = await listen(https, options.httpsPort ?? 8443, host);
    httpsUrl = `https://${urlHost(host)}:${httpsPort}/`;
  }

  let closing: Promise<void> | null = null;
  return {
    httpUrl,
    httpsUrl,
    close() {
      closing ??= (async () => {
        await Promise.all(servers.map(closeServer));
        await vite.close();
        await Promise.all([signal.close({ drainMs: 0 }), broker.close()]);
      })();
      return closing;
    },
  };
}
