// Test harness: Debian's mosquitto, started on free 127.0.0.1 ports with the shipped config and ACL, and
// stopped by PID. Users are added to its password file on the fly (mosquitto reloads it on SIGHUP).
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { type AddressInfo, connect as connectTcp, createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createMqttTransport, type MqttTransport, type MqttTransportOptions } from '@handset/adapter-mqtt';
import type { TransportHarness } from '@handset/core/conformance';
import { connectAsync } from 'mqtt';
import { deviceClientId, quickRetries } from './embedded-broker.js';

const run = promisify(execFile);
const shipped = (name: string) => fileURLToPath(new URL(`../../mosquitto/${name}`, import.meta.url));
const PLUGIN_BUILD = shipped('plugin/build.sh');
const PLUGIN = shipped('build/handset_identity.so');
const BINARY = ['/usr/sbin/mosquitto', '/usr/bin/mosquitto', '/usr/local/sbin/mosquitto'].find(existsSync);

export interface Mosquitto {
  readonly tcpUrl: string;
  readonly wsUrl: string;
  /** Adds (or updates) a user and waits until mosquitto accepts its login. Returns its password. */
  addUser(userId: string): Promise<string>;
  /** Stops mosquitto and starts it again on the same ports (sessions and retained messages are lost). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitUntil(check: () => Promise<boolean>, what: string, attempts = 100): Promise<void> {
  for (let i = 0; i < attempts; i += 1) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`mosquitto harness: timed out waiting for ${what}`);
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connectTcp(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export interface MosquittoOptions {
  /** Changes the shipped configuration before start (limits tests shrink a limit to reach it). */
  editConfig?: (config: string) => string;
}

export async function startMosquitto(options: MosquittoOptions = {}): Promise<Mosquitto> {
  if (!BINARY) throw new Error('mosquitto is not installed: run `bash scripts/ensure-tools.sh`');
  // Builds the plugin if it is missing or older than its source (ensure-tools.sh builds it too).
  await run('bash', [PLUGIN_BUILD]).catch((error: unknown) => {
    throw new Error(
      'cannot build the Handset mosquitto plugin (needs gcc, mosquitto-dev, libmosquitto-dev): run `bash scripts/ensure-tools.sh`',
      { cause: error },
    );
  });
  const dir = await mkdtemp(join(tmpdir(), 'handset-mosquitto-'));
  const passwordFile = join(dir, 'handset.passwd');
  const aclFile = join(dir, 'handset.acl');
  const configFile = join(dir, 'handset.conf');
  const [port, wsPort] = [await freePort(), await freePort()];
  await writeFile(passwordFile, '', { mode: 0o600 });
  await writeFile(aclFile, await readFile(shipped('handset.acl'), 'utf8'), { mode: 0o600 });
  const config = (await readFile(shipped('handset.conf'), 'utf8'))
    .replace('password_file /etc/mosquitto/handset.passwd', `password_file ${passwordFile}`)
    .replace('acl_file /etc/mosquitto/handset.acl', `acl_file ${aclFile}`)
    .replace('plugin /etc/mosquitto/handset_identity.so', `plugin ${PLUGIN}`)
    .replace('listener 1883 127.0.0.1', `listener ${port} 127.0.0.1`)
    .replace('listener 9001 127.0.0.1', `listener ${wsPort} 127.0.0.1`);
  const edited = options.editConfig ? options.editConfig(config) : config;
  // Keep the test's own user: mosquitto started as root would switch to "mosquitto" and lose the files.
  await writeFile(configFile, `user ${userInfo().username}\nlog_dest stderr\nlog_type error\n${edited}`);

  let child: ChildProcess | null = null;
  let log = '';
  async function launch(): Promise<void> {
    const started = spawn(BINARY!, ['-c', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
    started.stderr?.on('data', (chunk: Buffer) => {
      log = (log + chunk.toString()).slice(-4000);
    });
    child = started;
    await waitUntil(async () => {
      if (started.exitCode !== null) throw new Error(`mosquitto exited (${started.exitCode}): ${log}`);
      return (await accepts(port)) && (await accepts(wsPort));
    }, 'mosquitto to listen');
  }
  async function halt(): Promise<void> {
    const running = child;
    child = null;
    if (!running || running.exitCode !== null || running.pid === undefined) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    process.kill(running.pid, 'SIGTERM');
    await exited;
  }

  const passwords = new Map<string, string>();
  let userQueue: Promise<unknown> = Promise.resolve();
  const tcpUrl = `mqtt://127.0.0.1:${port}`;

  async function canLogIn(userId: string, password: string): Promise<boolean> {
    try {
      const probe = await connectAsync(tcpUrl, {
        protocolVersion: 5,
        username: userId,
        password,
        clientId: deviceClientId(userId),
        reconnectPeriod: 0,
        connectTimeout: 2000,
      });
      await probe.endAsync();
      return true;
    } catch {
      return false;
    }
  }

  await launch();
  return {
    tcpUrl,
    wsUrl: `ws://127.0.0.1:${wsPort}`,
    addUser(userId) {
      const task = userQueue.then(async () => {
        const password = passwords.get(userId) ?? `pw-${userId}`;
        if (!passwords.has(userId)) {
          await run('mosquitto_passwd', ['-b', passwordFile, userId, password]);
          passwords.set(userId, password);
          if (child?.pid !== undefined) process.kill(child.pid, 'SIGHUP');
        }
        await waitUntil(() => canLogIn(userId, password), `mosquitto to accept ${userId}`);
        return password;
      });
      userQueue = task.catch(() => {});
      return task;
    },
    async restart() {
      await halt();
      await launch();
    },
    async stop() {
      await halt();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface MosquittoHarness extends TransportHarness {
  connect(userId: string, extra?: Partial<MqttTransportOptions>): Promise<MqttTransport>;
}

/** Transports on a running mosquitto; `close()` closes only the transports it made. */
export function mosquittoHarness(mosquitto: Mosquitto, wire: 'tcp' | 'ws'): MosquittoHarness {
  const transports: MqttTransport[] = [];
  return {
    async connect(userId, extra = {}) {
      const password = await mosquitto.addUser(userId);
      const transport = createMqttTransport({
        url: wire === 'tcp' ? mosquitto.tcpUrl : mosquitto.wsUrl,
        userId,
        token: password,
        clientId: deviceClientId(userId),
        reconnectPolicy: quickRetries,
        ...extra,
      });
      transports.push(transport);
      return transport;
    },
    async close() {
      for (const transport of transports) transport.close();
      await Promise.all(transports.map((t) => t.ended));
    },
  };
}
