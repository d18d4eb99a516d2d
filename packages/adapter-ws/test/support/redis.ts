// Starts Debian's redis-server on a free loopback port for a test, and stops it by PID.
import { type ChildProcess, spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { connect, createServer } from 'node:net';

export interface TestRedis {
  url: string;
  port: number;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export interface RedisStartOptions {
  /** Listen here (e.g. the port of a Redis that was stopped, to restart it). Default: a free port. */
  port?: number;
  /** Replaces the listening arguments (default `--port <port>`): a TLS port, a password, ACL users. */
  args?: (port: number) => string[];
  /** `rediss` for a TLS port. Default `redis`. */
  scheme?: 'redis' | 'rediss';
}

export async function startRedis(options: RedisStartOptions = {}): Promise<TestRedis> {
  const port = options.port ?? (await freePort());
  const listen = options.args ? options.args(port) : ['--port', String(port)];
  const child: ChildProcess = spawn(
    'redis-server',
    [...listen, '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  for (let i = 0; i < 200 && !(await accepts(port)); i += 1) await new Promise((r) => setTimeout(r, 25));
  return {
    url: `${options.scheme ?? 'redis'}://127.0.0.1:${port}`,
    port,
    async stop() {
      if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, 'SIGTERM');
      await exited;
    },
  };
}
