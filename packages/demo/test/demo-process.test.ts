// The demo as `npm start` runs it, in a child process: where it listens, what it says, and that one
// SIGTERM stops it while pages (raw WebSockets through /signal and /mqtt) are connected.
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { type AddressInfo, connect, createServer, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, test } from 'vitest';
import { exposureWarning, isLoopbackHost } from '../server/exposure.js';
import { listeningAddresses } from './listening-addresses.js';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const demoDir = fileURLToPath(new URL('..', import.meta.url));
/** Vite's first start (dependency scan) is slow on a loaded machine: a wait, not a speed requirement. */
const START_MS = 90_000;
/** The issue asks for "within a second or two"; the bound leaves room for a shared 2-core machine. */
const STOP_MS = 4_000;

interface Started {
  child: ChildProcess;
  output: () => string;
  httpUrl: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const started: Started[] = [];
/** Every process this file started, including grandchildren, so none outlives a failed test. */
const ourPids = new Set<number>();

function descendants(pid: number): number[] {
  const found: number[] = [];
  let tasks: string[] = [];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return found;
  }
  for (const task of tasks) {
    let children = '';
    try {
      children = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8');
    } catch {
      continue;
    }
    for (const child of children.split(/\s+/).filter(Boolean).map(Number)) {
      found.push(child, ...descendants(child));
    }
  }
  return found;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

afterEach(() => {
  for (const { child } of started.splice(0)) {
    if (child.pid !== undefined) for (const pid of descendants(child.pid)) ourPids.add(pid);
  }
  for (const pid of ourPids) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  ourPids.clear();
});

/** Starts `command` and waits for the banner's page URL. */
async function start(command: string, args: string[], cwd: string, env: Record<string, string> = {}) {
  const child = spawn(command, args, {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, HANDSET_HTTP_PORT: '0', HANDSET_HTTPS_PORT: '0', HANDSET_HOST: '', ...env },
  });
  if (child.pid !== undefined) ourPids.add(child.pid);
  let output = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const httpUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner in time:\n${output}`)), START_MS);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      // The whole banner: its last line comes after the URL and the notes.
      const url = output.includes('Ctrl-C stops everything')
        ? /Open {2}(http:\/\/\S+)/.exec(output)?.[1]
        : undefined;
      if (url) {
        clearTimeout(timer);
        resolve(url);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    void exited.then(() => reject(new Error(`exited before the banner:\n${output}`)));
  });
  const run: Started = { child, output: () => output, httpUrl, exited };
  started.push(run);
  if (child.pid !== undefined) for (const pid of descendants(child.pid)) ourPids.add(pid);
  return run;
}

/** A raw WebSocket through the demo's forward, left open; resolves once the upgrade was answered 101. */
function openForward(httpUrl: string, path: string): Promise<Socket> {
  const { hostname, port, host } = new URL(httpUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nOrigin: http://${host}\r\nUpgrade: websocket\r\n` +
          'Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
      );
    });
    socket.once('data', (chunk: Buffer) => {
      if (chunk.toString().startsWith('HTTP/1.1 101')) resolve(socket);
      else reject(new Error(`not upgraded: ${chunk.toString()}`));
    });
    socket.on('error', () => undefined); // the server going away is what the test waits for
  });
}

function refusesConnections(httpUrl: string): Promise<boolean> {
  const { hostname, port } = new URL(httpUrl);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname, () => {
      socket.destroy();
      resolve(false);
    });
    socket.on('error', () => resolve(true));
  });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * SIGTERM to the started process only; resolves with how it ended, whether the page's port is closed, and
 * which of its descendants (pnpm's, tsx's children...) are still running once STOP_MS have passed.
 */
async function stopWithSigterm(run: Started) {
  const pid = run.child.pid!;
  const tree = [pid, ...descendants(pid)];
  const deadline = Date.now() + STOP_MS;
  process.kill(pid, 'SIGTERM');
  const ended = await Promise.race([run.exited, sleep(STOP_MS).then(() => null)]);
  while (Date.now() < deadline && tree.some(isAlive)) await sleep(50);
  return {
    ended,
    stillRunning: tree.filter(isAlive),
    pageGone: await refusesConnections(run.httpUrl),
  };
}

describe('the demo process (server/dev.ts)', () => {
  test('listens on 127.0.0.1 by default and says nothing about being exposed', async () => {
    const run = await start(process.execPath, ['--import', 'tsx', 'server/dev.ts'], demoDir);
    expect(new URL(run.httpUrl).hostname).toBe('127.0.0.1');
    expect(listeningAddresses(Number(new URL(run.httpUrl).port))).toEqual(['127.0.0.1']);
    expect(run.output()).not.toContain('EXPOSED');
    expect(run.output()).toContain('--lan');
  });

  test('stops on one SIGTERM, exit code 0, with sockets open through /signal and /mqtt', async () => {
    const run = await start(process.execPath, ['--import', 'tsx', 'server/dev.ts'], demoDir);
    const sockets = await Promise.all([
      openForward(run.httpUrl, '/signal'),
      openForward(run.httpUrl, '/mqtt'),
    ]);
    const closedByServer = sockets.map(
      (socket) => new Promise<void>((resolve) => socket.on('close', resolve)),
    );
    const { ended, stillRunning, pageGone } = await stopWithSigterm(run);
    expect(ended).toEqual({ code: 0, signal: null });
    expect(stillRunning).toEqual([]);
    expect(pageGone).toBe(true);
    await Promise.all(closedByServer);
  });
});

describe('the demo process on a busy port', () => {
  test('exits 1 with a sentence naming the port and the variable to change', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const busy = (blocker.address() as AddressInfo).port;
    try {
      const child = spawn(process.execPath, ['--import', 'tsx', 'server/dev.ts'], {
        cwd: demoDir,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, HANDSET_HTTP_PORT: String(busy), HANDSET_HTTPS_PORT: '0', HANDSET_HOST: '' },
      });
      if (child.pid !== undefined) ourPids.add(child.pid);
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      child.stderr.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      // Exiting at all shows that nothing it had started (signaling server, broker, Vite) kept it alive.
      const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
      expect(code).toBe(1);
      expect(output).toContain(`port ${busy} on 127.0.0.1 is in use`);
      expect(output).toContain('HANDSET_HTTP_PORT');
      expect(output).not.toMatch(/\n\s+at /); // no stack trace
    } finally {
      blocker.close();
    }
  });
});

describe('npm start (package.json → scripts/start.sh → node)', () => {
  test('one SIGTERM to the npm process stops the server and everything under it', async () => {
    // Installing and building take minutes and are not what this is about: HANDSET_SKIP_BUILD=1 starts
    // from the last build, through the very chain a user runs (npm, its shell, start.sh, node).
    const run = await start('npm', ['run', '--silent', 'start'], repoRoot, { HANDSET_SKIP_BUILD: '1' });
    await openForward(run.httpUrl, '/signal');
    const { ended, stillRunning, pageGone } = await stopWithSigterm(run);
    expect(stillRunning).toEqual([]);
    expect(pageGone).toBe(true);
    expect(ended).toEqual({ code: 0, signal: null });
  });
});

describe('the exposure banner', () => {
  test('is printed for any non-loopback address, naming what is exposed', () => {
    expect(exposureWarning('127.0.0.1', [])).toBeNull();
    expect(exposureWarning('127.0.0.2', [])).toBeNull();
    expect(exposureWarning('::1', [])).toBeNull();
    const warning = exposureWarning('0.0.0.0', ['localhost', '192.0.2.2']);
    expect(warning).toContain('EXPOSED TO THE NETWORK');
    expect(warning).toContain('ANY user id');
    expect(warning).toContain('192.0.2.2');
    expect(isLoopbackHost('192.0.2.2')).toBe(false);
  });
});
