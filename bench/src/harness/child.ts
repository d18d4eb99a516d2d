// Runs a bench module in its own Node process (its own core, its own RSS) and talks to it over IPC,
// so a server and the load that drives it never share an event loop.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

interface Reply {
  id: number;
  ok: boolean;
  result?: unknown;
  error?: string;
}

export interface ChildHandle {
  readonly pid: number;
  call<T>(command: string, args?: unknown, timeoutMs?: number): Promise<T>;
  /** Asks the child to clean up, then ends it by PID if it has not exited within a few seconds. */
  stop(): Promise<void>;
}

const benchDir = fileURLToPath(new URL('../..', import.meta.url));

export function startChild(modulePath: string, options: { maxOldSpaceMb?: number } = {}): ChildHandle {
  const execArgv = [
    '--import',
    'tsx',
    '--expose-gc',
    `--max-old-space-size=${options.maxOldSpaceMb ?? 2048}`,
  ];
  const child: ChildProcess = spawn(process.execPath, [...execArgv, modulePath], {
    cwd: benchDir,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  if (child.pid === undefined) throw new Error(`could not start ${modulePath}`);
  const pid = child.pid;
  let nextId = 1;
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.on('message', (message) => {
    const reply = message as Reply;
    const waiter = pending.get(reply.id);
    if (!waiter) return;
    pending.delete(reply.id);
    if (reply.ok) waiter.resolve(reply.result);
    else waiter.reject(new Error(reply.error ?? 'child failed'));
  });
  child.once('exit', (code, signal) => {
    for (const waiter of pending.values()) {
      waiter.reject(new Error(`child ${modulePath} exited (${code ?? signal})`));
    }
    pending.clear();
  });

  return {
    pid,
    call<T>(command: string, args: unknown = {}, timeoutMs = 120_000): Promise<T> {
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`${command} timed out after ${timeoutMs} ms`));
        }, timeoutMs);
        pending.set(id, {
          resolve: (value) => {
            clearTimeout(timer);
            resolve(value as T);
          },
          reject: (error) => {
            clearTimeout(timer);
            reject(error);
          },
        });
        child.send({ id, command, args });
      });
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      try {
        if (child.connected) child.disconnect();
      } catch {
        // Already disconnected: the exit wait below decides.
      }
      const deadline = new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), 8_000).unref());
      if ((await Promise.race([exited.then(() => 'done' as const), deadline])) === 'late') {
        process.kill(pid, 'SIGKILL');
        await exited;
      }
    },
  };
}

type Handler = (args: unknown) => unknown;

/**
 * The child side: answers commands, and on disconnect runs `onDisconnect` (close servers, sockets)
 * and exits, so a child never outlives the bench.
 */
export function serveCommands(handlers: Record<string, Handler>, onDisconnect: () => Promise<void>): void {
  process.on('message', (message) => {
    const { id, command, args } = message as { id: number; command: string; args: unknown };
    const handler = handlers[command];
    Promise.resolve()
      .then(() => {
        if (!handler) throw new Error(`unknown command ${command}`);
        return handler(args);
      })
      .then(
        (result) => process.send?.({ id, ok: true, result }),
        (error: unknown) => process.send?.({ id, ok: false, error: String(error) }),
      );
  });
  process.once('disconnect', () => {
    const hardStop = setTimeout(() => process.exit(0), 5_000);
    hardStop.unref();
    onDisconnect().finally(() => process.exit(0));
  });
}

/** RSS and heap of this process after a full collection (children run with --expose-gc). */
export function memorySnapshot(): { rss: number; heapUsed: number } {
  const collect = (globalThis as { gc?: () => void }).gc;
  collect?.();
  collect?.();
  const { rss, heapUsed } = process.memoryUsage();
  return { rss, heapUsed };
}
