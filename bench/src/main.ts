// `pnpm bench [--quick] [--only <name>[,<name>]]`: runs each measurement in turn and writes RESULTS.md (a run of
// every section) or RESULTS.partial.md (a run with --only: it must not replace the results of record).
// Every measurement bounds its own loops in count and time; the process exits when the last one ends.

import { writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { renderResults } from './harness/results.js';
import type { BenchContext, Measurement, Section } from './harness/section.js';
import { bundleSize } from './measurements/bundle-size.js';
import { callSetup } from './measurements/call-setup.js';
import { connectionsHeld } from './measurements/connections-held.js';
import { hostileLoad } from './measurements/hostile-load.js';
import { inCall } from './measurements/in-call.js';
import { mqttRelay } from './measurements/mqtt-relay.js';
import { scaling } from './measurements/scaling.js';
import { signalingRelay } from './measurements/signaling-relay.js';
import { turnSetup } from './measurements/turn-setup.js';

const MEASUREMENTS: Measurement[] = [
  bundleSize,
  signalingRelay,
  connectionsHeld,
  mqttRelay,
  scaling,
  callSetup,
  hostileLoad,
  turnSetup,
  inCall,
];

function parseArguments(argv: readonly string[]): { quick: boolean; only: string[] | null; runs: number } {
  let quick = false;
  let only: string[] | null = null;
  let runs = 5;
  for (let index = 0; index < argv.length; index += 1) {
    const argument = argv[index];
    if (argument === '--quick') quick = true;
    else if (argument === '--only') only = (argv[++index] ?? '').split(',').filter(Boolean);
    else if (argument === '--runs') runs = Math.max(5, Number(argv[++index]) || 5);
    else if (argument !== '--') throw new Error(`unknown argument ${argument}`);
  }
  return { quick, only, runs };
}

async function main(): Promise<void> {
  const { quick, only, runs } = parseArguments(process.argv.slice(2));
  const chosen = MEASUREMENTS.filter((measurement) => !only || only.includes(measurement.name));
  if (chosen.length === 0) {
    throw new Error(`--only names none of: ${MEASUREMENTS.map((m) => m.name).join(', ')}`);
  }
  const started = Date.now();
  const context: BenchContext = {
    quick,
    runs,
    log: (message) => console.log(`[bench ${((Date.now() - started) / 1000).toFixed(0)}s] ${message}`),
  };
  const sections: Section[] = [];
  const failures: string[] = [];
  for (const measurement of chosen) {
    context.log(`${measurement.name}: start`);
    try {
      sections.push(await measurement.run(context));
      context.log(`${measurement.name}: done`);
    } catch (error) {
      failures.push(`${measurement.name}: ${error instanceof Error ? error.message : String(error)}`);
      context.log(`${measurement.name}: FAILED ${String(error)}`);
    }
  }
  const markdown = renderResults({
    sections,
    failures,
    mode: quick ? 'quick' : 'full',
    runs,
    machine: {
      nproc: availableParallelism(),
      cpu: cpus()[0]?.model ?? 'unknown',
      memoryGb: Math.round(totalmem() / 1024 ** 3),
      node: process.version,
    },
    durationSeconds: Math.round((Date.now() - started) / 1000),
    date: new Date().toISOString(),
  });
  const target = fileURLToPath(new URL(only ? '../RESULTS.partial.md' : '../RESULTS.md', import.meta.url));
  await writeFile(target, markdown);
  context.log(`wrote ${target}`);
  // Sockets of stopped children can keep handles alive for a moment; the bench stops by itself.
  process.exit(failures.length > 0 ? 1 : 0);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
