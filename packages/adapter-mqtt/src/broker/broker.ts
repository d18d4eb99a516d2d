// The embedded broker: aedes with Handset's access control, listening on TCP and on WebSocket (MQTT over
// WebSocket, for browsers). Node only.
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { type AddressInfo, createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import { HandsetError } from '@handset/core';
import type { TokenSecret } from '@handset/token';
import { Aedes } from 'aedes';
import { createWebSocketStream, WebSocketServer } from 'ws';
import { bindLogger, type MqttLogger, silentLogger } from '../logger.js';
import { createTopicLayout, DEFAULT_TOPIC_PREFIX } from '../topics.js';
import { createAccessControl } from './access-control.js';

export interface BrokerOptions {
  /** Address both listeners bind to. Default 127.0.0.1. */
  host?: string;
  /** MQTT over TCP; 0 picks a free port, null disables the listener. Default 0. */
  port?: number | null;
  /** MQTT over WebSocket; 0 picks a free port, null disables the listener. Default 0. */
  wsPort?: number | null;
  /** Verifies client tokens (at least 16 bytes). Required unless `dev`. */
  secret?: TokenSecret;
  /** Accepts any valid user id without a token, and says so loudly in the log. */
  dev?: boolean;
  topicPrefix?: string;
  logger?: MqttLogger;
  /** Clock for token expiry (tests). */
  now?: () => number;
}

export interface HandsetBroker {
  /** `mqtt://host:port`, or null if the TCP listener is disabled. */
  readonly tcpUrl: string | null;
  /** `ws://host:port`, or null if the WebSocket listener is disabled. */
  readonly wsUrl: string | null;
  readonly port: number | null;
  readonly wsPort: number | null;
  /** The aedes instance, for embedding applications that want its events. */
  readonly aedes: Aedes;
  /** Disconnects every client, then stops both listeners. */
  close(): Promise<void>;
}

export async function startBroker(options: BrokerOptions = {}): Promise<HandsetBroker> {
  if (!options.dev && options.secret === undefined) {
    throw HandsetError.invalidArgument(
      'startBroker needs a token secret (or dev: true for local development)',
    );
  }
  const host = options.host ?? '127.0.0.1';
  const log = bindLogger(options.logger ?? silentLogger, 'handset:mqtt-broker');
  if (options.dev) log('warn', 'dev-mode', { note: 'DEV MODE: every user id is accepted without a token' });
  const layout = createTopicLayout(options.topicPrefix ?? DEFAULT_TOPIC_PREFIX);
  const aedes = await Aedes.createBroker({
    ...createAccessControl({
      layout,
      log,
      dev: options.dev ?? false,
      ...(options.secret !== undefined ? { secret: options.secret } : {}),
      ...(options.now ? { now: options.now } : {}),
    }),
  });
  aedes.on('clientError', (client, error) =>
    log('debug', 'client-error', { clientId: client.id, error: error.message }),
  );
  aedes.on('connectionError', (client, error) =>
    log('debug', 'connection-error', { clientId: client.id, error: error.message }),
  );

  const closers: (() => Promise<void>)[] = [];
  let port: number | null = null;
  let wsPort: number | null = null;
  try {
    if (options.port !== null) {
      const tcp = createTcpServer((socket) => aedes.handle(socket));
      port = await listen(tcp, options.port ?? 0, host);
      closers.push(() => closeServer(tcp));
    }
    if (options.wsPort !== null) {
      const http = createHttpServer((_request, response) => {
        response.writeHead(426, { 'content-type': 'text/plain' }).end('MQTT over WebSocket only\n');
      });
      const wss = new WebSocketServer({ server: http });
      wss.on('connection', (socket, request) => {
        const stream = createWebSocketStream(socket);
        // A dropped socket errors the stream; aedes learns of it through `close`.
        stream.on('error', () => {});
        aedes.handle(stream, request);
      });
      wsPort = await listen(http, options.wsPort ?? 0, host);
      closers.push(async () => {
        for (const socket of wss.clients) socket.terminate();
        await new Promise<void>((resolve) => wss.close(() => resolve()));
        await closeServer(http);
      });
    }
  } catch (error) {
    await Promise.all(closers.map((close) => close()));
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
    throw error;
  }
  const urlHost = host.includes(':') ? `[${host}]` : host;
  log('info', 'listening', { host, port, wsPort });

  let closing: Promise<void> | null = null;
  return {
    tcpUrl: port === null ? null : `mqtt://${urlHost}:${port}`,
    wsUrl: wsPort === null ? null : `ws://${urlHost}:${wsPort}`,
    port,
    wsPort,
    aedes,
    close() {
      closing ??= (async () => {
        await new Promise<void>((resolve) => aedes.close(() => resolve()));
        await Promise.all(closers.map((close) => close()));
        log('info', 'closed');
      })();
      return closing;
    },
  };
}

function listen(server: TcpServer | HttpServer, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: TcpServer | HttpServer): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    if ('closeAllConnections' in server) server.closeAllConnections();
  });
}
