// Debian's mosquitto with Handset's shipped ACL and a password file, on a free port of 127.0.0.1, in a
// temporary directory; started and stopped (by PID) by the bench.
import { execFileSync } from 'node:child_process';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../harness/free-port.js';
import { type Daemon, startDaemon } from '../harness/processes.js';

const shippedAcl = fileURLToPath(
  new URL('../../../packages/adapter-mqtt/mosquitto/handset.acl', import.meta.url),
);

export interface Mosquitto {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

export function mosquittoVersion(): string {
  try {
    return /mosquitto version (\S+)/.exec(execFileSync('mosquitto', ['-h']).toString())?.[1] ?? '?';
  } catch (error) {
    // `mosquitto -h` exits non-zero after printing its usage.
    const output = String((error as { stdout?: Buffer }).stdout ?? '');
    return /mosquitto version (\S+)/.exec(output)?.[1] ?? '?';
  }
}

export async function startMosquitto(users: string[], password: string): Promise<Mosquitto> {
  const dir = await mkdtemp(join(tmpdir(), 'handset-bench-mosquitto-'));
  const passwordFile = join(dir, 'passwd');
  const aclFile = join(dir, 'handset.acl');
  await copyFile(shippedAcl, aclFile);
  await writeFile(passwordFile, users.map((user) => `${user}:${password}\n`).join(''), { mode: 0o600 });
  execFileSync('mosquitto_passwd', ['-U', passwordFile]);
  const port = await freePort();
  const config = join(dir, 'mosquitto.conf');
  await writeFile(
    config,
    [
      // The settings of packages/adapter-mqtt/mosquitto/handset.conf, with this run's files and port.
      'per_listener_settings false',
      'allow_anonymous false',
      `password_file ${passwordFile}`,
      `acl_file ${aclFile}`,
      'persistence false',
      'max_queued_messages 1000',
      'max_packet_size 131072',
      // Started as root: stay root, so the temporary files stay private to the bench.
      'user root',
      'log_dest stderr',
      'log_type error',
      `listener ${port} 127.0.0.1`,
      '',
    ].join('\n'),
  );
  let daemon: Daemon;
  try {
    daemon = await startDaemon('mosquitto', ['-c', config], port);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url: `mqtt://127.0.0.1:${port}`,
    pid: daemon.pid,
    async stop() {
      await daemon.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
