// Debian's coturn for the TURN measurement: on a free port of 127.0.0.1, relaying on 127.0.0.1 with the
// TURN REST API shared secret, started and stopped (by PID) by the bench. Unlike test-support's relay
// (40 relay ports, enough for a test's few calls), a bench run makes hundreds of allocations.
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../harness/free-port.js';
import { benchSecret, startDaemon } from '../harness/processes.js';

export interface Coturn {
  /** `turn:127.0.0.1:<port>?transport=udp` */
  url: string;
  secret: string;
  pid: number;
  stop(): Promise<void>;
}

/** Relay ports: two allocations per relayed call, never more than a run's calls even if none were freed. */
const RELAY_PORTS = 1_000;

export function coturnVersion(): string {
  try {
    return execFileSync('turnserver', ['--version']).toString().trim().split('\n')[0] ?? '?';
  } catch {
    return '?';
  }
}

export async function startCoturn(): Promise<Coturn> {
  if (coturnVersion() === '?') throw new Error('turnserver is not installed (bash scripts/ensure-tools.sh)');
  const dir = await mkdtemp(join(tmpdir(), 'handset-bench-coturn-'));
  const port = await freePort();
  const secret = benchSecret();
  // A random slice of the dynamic range keeps apart from other relays on the machine (tests start their own).
  const minPort = 49_152 + Math.floor(Math.random() * 15) * RELAY_PORTS;
  try {
    const daemon = await startDaemon(
      'turnserver',
      [
        '-n',
        '--listening-ip=127.0.0.1',
        '--relay-ip=127.0.0.1',
        `--listening-port=${port}`,
        `--min-port=${minPort}`,
        `--max-port=${minPort + RELAY_PORTS - 1}`,
        '--use-auth-secret',
        `--static-auth-secret=${secret}`,
        '--realm=handset.bench',
        '--no-tls',
        '--no-dtls',
        '--allow-loopback-peers',
        '--no-cli',
        `--pidfile=${join(dir, 'turnserver.pid')}`,
        `--log-file=${join(dir, 'turnserver.log')}`,
        '--simple-log',
      ],
      port,
    );
    return {
      url: `turn:127.0.0.1:${port}?transport=udp`,
      secret,
      pid: daemon.pid,
      async stop() {
        await daemon.stop();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
