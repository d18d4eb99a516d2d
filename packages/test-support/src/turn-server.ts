// A coturn relay of one's own on 127.0.0.1 (never the service the Debian package starts), with the TURN
// REST API shared secret, a bounded relay port range, and stopped by its own PID. Tests and the demo share
// it (the demo imports `@handset/test-support/turn-server`, which loads no werift).
import { type ChildProcess, spawn } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { rm } from 'node:fs/promises';
import { createServer } from 'node:net';

export interface TurnServer {
  /** `turn:127.0.0.1:<port>?transport=udp` */
  readonly url: string;
  readonly port: number;
  readonly secret: string;
  /** Everything coturn printed so far (its log goes to stdout). */
  output(): string;
  stop(): Promise<void>;
}

export interface TurnServerOptions {
  /** The `static-auth-secret` credentials are derived from. */
  secret?: string;
  realm?: string;
  /** Relay ports: two peers need one allocation each; a few spare for ICE restarts. Default 40. */
  relayPorts?: number;
}

/** A port free for both UDP and TCP on 127.0.0.1 (coturn listens on both). */
async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
      });
    });
    const udpFree = await new Promise<boolean>((resolve) => {
      const socket = createSocket('udp4');
      socket.once('error', () => resolve(false));
      socket.bind(port, '127.0.0.1', () => socket.close(() => resolve(true)));
    });
    if (udpFree) return port;
  }
}

/** Polls with STUN binding requests until the relay answers one (coturn prints no reliable "ready" line). */
async function answersStun(port: number, withinMs: number): Promise<boolean> {
  const socket = createSocket('udp4');
  const answered = new Promise<boolean>((resolve) => {
    socket.on('message', (message) => {
      // Binding success response: type 0x0101.
      if (message.readUInt16BE(0) === 0x0101) resolve(true);
    });
    socket.on('error', () => {});
  });
  const request = Buffer.alloc(20);
  request.writeUInt16BE(0x0001, 0);
  request.writeUInt32BE(0x2112a442, 4);
  randomFillSync(request, 8, 12);
  const started = Date.now();
  const poll = setInterval(() => {
    if (Date.now() - started > withinMs) return;
    socket.send(request, port, '127.0.0.1');
  }, 100);
  const result = await Promise.race([
    answered,
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), withinMs)),
  ]);
  clearInterval(poll);
  socket.close();
  return result;
}

/** True when `turnserver` is installed (scripts/ensure-tools.sh installs coturn). */
export async function hasTurnServer(): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = spawn('turnserver', ['--help'], { stdio: 'ignore' });
    probe.once('error', () => resolve(false));
    probe.once('exit', () => resolve(true));
  });
}

export async function startTurnServer(options: TurnServerOptions | string = {}): Promise<TurnServer> {
  const {
    secret = 'turn-test-secret-0123456789',
    realm = 'handset.test',
    relayPorts = 40,
  } = typeof options === 'string' ? { secret: options } : options;
  const port = await freePort();
  const pidFile = `/tmp/handset-turn-${port}.pid`;
  // A random slice of the high ports keeps parallel test files (and other users of the box) apart.
  const slice = Math.max(50, relayPorts);
  const minPort = 49_152 + Math.floor(Math.random() * Math.floor(15_000 / slice)) * slice;
  const child: ChildProcess = spawn(
    'turnserver',
    [
      '-n',
      '--listening-ip=127.0.0.1',
      '--relay-ip=127.0.0.1',
      `--listening-port=${port}`,
      `--min-port=${minPort}`,
      `--max-port=${minPort + relayPorts - 1}`,
      '--use-auth-secret',
      `--static-auth-secret=${secret}`,
      `--realm=${realm}`,
      '--no-tls',
      '--no-dtls',
      '--allow-loopback-peers',
      '--no-cli',
      '--log-file=stdout',
      '--simple-log',
      `--pidfile=${pidFile}`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    log += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    log += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = await Promise.race([answersStun(port, 10_000), exited.then(() => false)]);
  if (!ready) {
    child.kill('SIGKILL');
    throw new Error(`turnserver did not answer on ${port}:\n${log}`);
  }
  return {
    url: `turn:127.0.0.1:${port}?transport=udp`,
    port,
    secret,
    output: () => log,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 3_000);
      await exited;
      clearTimeout(killer);
      // coturn leaves its pid file behind on SIGTERM.
      await rm(pidFile, { force: true });
    },
  };
}
