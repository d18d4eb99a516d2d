// Everything the demo needs, in one process: the WebSocket signaling server and the MQTT broker (both in
// dev mode, on loopback), and the page served by Vite over http and https, with `/signal` and `/mqtt`
// forwarded so the page reaches both on its own origin (and only the page: see origin-policy.ts).
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
import { startSignalServer, turnCredentials } from '@handset/adapter-ws/server';
import { type Logger, namespacedLogger } from '@handset/core';
import { createServer as createViteServer } from 'vite';
import { workspaceAlias } from '../../../vitest.workspace-alias.ts';
import { loadOrCreateCertificate } from './certificate.js';
import { startDemoRelay } from './coturn.js';
import { DemoServerError } from './demo-server-error.js';
import { createOriginPolicy, pageHosts } from './origin-policy.js';
import { PAGE_SERVER_LIMITS, type PageServerLimits } from './page-limits.js';
import { createUpgradeProxy, refuseUpgrade, type UpgradeHandler } from './socket-proxy.js';
import { withoutHmrClient } from './without-hmr-client.js';

export interface DemoServerOptions {
  /**
   * Where the page listens. Default 127.0.0.1 (this machine only); `0.0.0.0` lets a LAN device join, and
   * lets everyone on the LAN get a token for any id: say so to the user.
   */
  host?: string;
  /** Host names the page may also be opened under (e.g. `mybox.local`), besides loopback and the bind address(es). */
  extraHosts?: readonly string[];
  /** Default 8000; 0 picks a free port. */
  httpPort?: number;
  /** Default 8443; 0 picks a free port; null: no https listener. */
  httpsPort?: number | null;
  /** Where the self-signed certificate is kept. Default `<repo>/.certs`. */
  certDir?: string;
  /** Overrides of PAGE_SERVER_LIMITS, per listener. */
  limits?: Partial<PageServerLimits>;
  /**
   * Core's `Logger`, for the demo (`ns: 'handset:demo'`: a new certificate) and for the signaling server
   * and broker inside it (`handset:ws`, `handset:mqtt-broker`). Silent by default.
   */
  logger?: Logger;
  /**
   * Start a coturn relay on 127.0.0.1 when `turnserver` is installed, and hand its credentials to every
   * WebSocket login (the page's "Relay only" forces calls through it). Default true; only while the page
   * is on loopback (the relay listens there).
   */
  relay?: boolean;
}

export interface DemoServer {
  readonly httpUrl: string;
  readonly httpsUrl: string | null;
  /** The host names a browser may use for the page (the token endpoint and forwards refuse others). */
  readonly pageHosts: readonly string[];
  /** Forwarded WebSocket connections open now (for tests of the shutdown). */
  readonly forwardedConnections: number;
  /** The coturn relay's URL, or null when coturn is not installed (or the page is exposed on the LAN). */
  readonly relayUrl: string | null;
  /** Stops accepting, drops forwarded sockets, then stops Vite, the signaling server and the broker. */
  close(): Promise<void>;
}

const demoRoot = fileURLToPath(new URL('..', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const MAX_USER_ID_LENGTH = 128;
/** The demo relay's credentials live an hour; WebSocket logins get a fresh set every 45 minutes. */
const RELAY_TTL_SECONDS = 3600;

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
  const log = namespacedLogger(options.logger, 'handset:demo');
  const logger = options.logger ? { logger: options.logger } : {};
  const policy = createOriginPolicy(pageHosts(host, options.extraHosts));
  const limits: PageServerLimits = { ...PAGE_SERVER_LIMITS, ...options.limits };
  const serverOptions = {
    maxHeaderSize: limits.maxHeaderBytes,
    headersTimeout: limits.headersTimeoutMs,
    // Node checks the header deadline on this period (30 s by default): a quarter of it keeps it honest.
    connectionsCheckingInterval: Math.max(100, Math.floor(limits.headersTimeoutMs / 4)),
    // A request may take longer than its headers (Node refuses a requestTimeout below headersTimeout).
    requestTimeout: limits.headersTimeoutMs * 3,
  };
  // Both servers check Origin themselves too (a page could find their loopback ports): they must accept the
  // page under every name the demo serves it, the LAN addresses included when exposed.
  const allowedOrigins = policy.hosts.flatMap((name) => [`http://${name}:*`, `https://${name}:*`]);
  const loopbackOnly = host === '127.0.0.1' || host === 'localhost';
  const relay = options.relay !== false && loopbackOnly ? await startDemoRelay() : null;
  if (relay) log('info', 'relay', { url: relay.url, message: `coturn relay at ${relay.url}` });
  const signal = await startSignalServer({
    dev: true,
    host: '127.0.0.1',
    port: 0,
    allowedOrigins,
    ...logger,
    ...(relay ? { turn: { urls: [relay.url], secret: relay.secret, ttlSeconds: RELAY_TTL_SECONDS } } : {}),
  });
  const broker = await startBroker({
    dev: true,
    host: '127.0.0.1',
    port: null,
    wsPort: 0,
    allowedOrigins,
    ...logger,
  });
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
  /**
   * The relay's ICE servers for a user, with credentials of the same TURN REST scheme the WebSocket server
   * hands out in its welcome: how an MQTT login (whose dev broker hands out nothing) gets them. `[]` without
   * a relay.
   */
  function issueIceServers(request: IncomingMessage, response: ServerResponse): void {
    const user = new URL(request.url ?? '/', 'http://localhost').searchParams.get('user') ?? '';
    if (user.length === 0 || user.length > MAX_USER_ID_LENGTH || user.includes(':')) {
      response
        .writeHead(400, { 'content-type': 'text/plain' })
        .end('a user id of 1-128 characters is required');
      return;
    }
    let servers: unknown[] = [];
    try {
      servers = relay
        ? turnCredentials({
            secret: relay.secret,
            userId: user,
            ttlSeconds: RELAY_TTL_SECONDS,
            urls: [relay.url],
          })
        : [];
    } catch (error) {
      const message = error instanceof Error ? error.message : 'bad user id';
      response.writeHead(400, { 'content-type': 'text/plain' }).end(message);
      return;
    }
    response
      .writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' })
      .end(JSON.stringify(servers));
  }

  const appFor =
    (secure: boolean): RequestListener =>
    (request, response) => {
      const isToken = request.url?.startsWith('/demo/token');
      const isIce = request.url?.startsWith('/demo/ice-servers');
      if (!isToken && !isIce) {
        vite.middlewares(request, response);
        return;
      }
      const refusal = policy.check(request, secure);
      if (refusal) response.writeHead(403, { 'content-type': 'text/plain' }).end(refusal);
      else if (isToken) issueDevToken(request, response);
      else issueIceServers(request, response);
    };

  const proxy = createUpgradeProxy([
    { path: '/signal', port: signal.port },
    { path: '/mqtt', port: broker.wsPort! },
  ]);
  const upgradeFor =
    (secure: boolean): UpgradeHandler =>
    (request, socket, head) => {
      const refusal = policy.check(request, secure);
      if (refusal) refuseUpgrade(socket, '403 Forbidden', refusal);
      else proxy.forward(request, socket, head);
    };
  const servers: (Server & { closeAllConnections(): void })[] = [];
  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      // Listeners first (no new page or socket), then the forwarded sockets, which the listeners'
      // close would otherwise wait for; the servers behind them go last.
      const listenersClosed = Promise.all(servers.map(closeServer));
      proxy.destroyAll();
      await listenersClosed;
      await vite.close();
      await Promise.all([signal.close({ drainMs: 0 }), broker.close(), relay?.stop()]);
    })();
    return closing;
  };
  /** Listens, or closes everything started so far (nothing may keep the process alive) and says why. */
  const listenOrClose = async (server: Server, listener: 'http' | 'https', port: number) => {
    try {
      return await listen(server, port, host);
    } catch (error) {
      await close();
      throw DemoServerError.fromListen(error, { listener, host, port });
    }
  };

  const http = createHttpServer(serverOptions, appFor(false));
  http.maxConnections = limits.maxConnections;
  http.on('upgrade', upgradeFor(false));
  servers.push(http);
  const httpPort = await listenOrClose(http, 'http', options.httpPort ?? 8000);
  const httpUrl = `http://${urlHost(host)}:${httpPort}/`;

  let httpsUrl: string | null = null;
  if (options.httpsPort !== null) {
    const tls = await loadOrCreateCertificate(options.certDir ?? `${repoRoot}.certs`);
    if (tls.created)
      log('info', 'certificate-created', {
        fingerprint: tls.fingerprint,
        message: `made a self-signed certificate (SHA-1 ${tls.fingerprint}); browsers will ask you to accept it once`,
      });
    const https = createHttpsServer({ ...serverOptions, key: tls.key, cert: tls.cert }, appFor(true));
    https.maxConnections = limits.maxConnections;
    https.on('upgrade', upgradeFor(true));
    servers.push(https);
    const httpsPort = await listenOrClose(https, 'https', options.httpsPort ?? 8443);
    httpsUrl = `https://${urlHost(host)}:${httpsPort}/`;
  }

  return {
    httpUrl,
    httpsUrl,
    pageHosts: policy.hosts,
    get forwardedConnections() {
      return proxy.openCount;
    },
    relayUrl: relay?.url ?? null,
    close,
  };
}
