// A Node program that made a werift call must be able to end: after hang-up and dispose() nothing (no UDP
// socket, no RTP timer) may keep its event loop alive. Run as a child process, as an app would run.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const fixture = fileURLToPath(new URL('./fixtures/call-then-exit.ts', import.meta.url));
const packageDir = fileURLToPath(new URL('..', import.meta.url));
/** The call itself: generous on a shared 2-core machine (a wait, not a speed requirement). */
const CALL_MS = 45_000;
/** From its last line to its exit, the program has nothing left to do: "a few seconds" at most. */
const EXIT_MS = 5_000;

it('exits by itself after a call, hang-up and dispose(), and the remote streams carried audio and video', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture], {
    cwd: packageDir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    const report = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no report in time; stderr:\n${stderr}`)), CALL_MS);
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        const line = stdout.split('\n').find((l) => l.startsWith('{'));
        if (line) {
          clearTimeout(timer);
          resolve(line);
        }
      });
      void exited.then(() => reject(new Error(`exited before its report; stderr:\n${stderr}`)));
    });
    expect(JSON.parse(report)).toEqual({
      callerRemoteKinds: ['audio', 'video'],
      calleeRemoteKinds: ['audio', 'video'],
      connections: 2,
    });
    const code = await Promise.race([
      exited,
      new Promise<'still running'>((r) => setTimeout(() => r('still running'), EXIT_MS)),
    ]);
    expect(code).toBe(0);
  } finally {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null)
      child.kill('SIGKILL');
  }
});
