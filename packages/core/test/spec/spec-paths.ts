// The paths the model-based test drives, generated from the specification alone: a breadth-first walk of
// the worlds the table reaches, bounded in depth, worlds, paths and time, so a wrong table fails fast
// instead of hanging. Each path reaches one row in one place no earlier path reached, then hangs up.
import { ROWS, type Row } from './call-spec.js';
import { offeredEvents, specStep } from './spec-step.js';
import { placeKey, type SpecEvent, START, type World } from './spec-world.js';

export interface PathStep {
  readonly event: SpecEvent;
  readonly rows: readonly Row[];
  readonly before: World;
  readonly after: World;
  readonly sends: readonly string[];
  readonly emits: readonly string[];
}

export interface SpecPath {
  readonly steps: readonly PathStep[];
}

export interface PathLimits {
  readonly maxDepth: number;
  readonly maxWorlds: number;
  readonly maxPaths: number;
  readonly budgetMs: number;
}

export const DEFAULT_LIMITS: PathLimits = {
  maxDepth: 16,
  maxWorlds: 20_000,
  maxPaths: 1_000,
  budgetMs: 20_000,
};

const keyOf = (world: World) => JSON.stringify(world);
/**
 * A row in one place, with what it sent: what the generator tries to reach at least once. A row written for
 * one region of a connected call is tried beside every place of the other region (the regions meet: an ICE
 * restart waits for renegotiation); any other row once per place. A row whose messages depend on the world
 * (the queued candidates it sends) is tried once per distinct outcome.
 */
const cellOf = (row: Row, world: World, sends: readonly string[]) => {
  const regional = row.in.some((pattern) => pattern.startsWith('active.connected.'));
  return `${ROWS.indexOf(row)} @ ${regional ? placeKey(world) : world.at} → ${sends.join(', ')}`;
};

export class SpecLimitError extends Error {
  override readonly name = 'SpecLimitError';
}

/** A level of the walk that finds no new cell ends it: deeper worlds only repeat what is covered. */
const QUIET_LEVELS = 1;

/**
 * Breadth-first over the worlds the table reaches, level by level, so the first path to reach a cell is a
 * short one: each step that takes a row in a place no earlier path took becomes a path (the shortest road
 * to its world, the step, then a hang-up). Stops when `QUIET_LEVELS` levels in a row find nothing new.
 */
export function generatePaths(limits: PathLimits = DEFAULT_LIMITS): SpecPath[] {
  const started = Date.now();
  const reached = new Map<string, PathStep[]>([[keyOf(START), []]]);
  const covered = new Set<string>();
  const paths: SpecPath[] = [];
  let frontier: World[] = [START];
  let quiet = 0;
  for (let level = 0; frontier.length > 0 && quiet < QUIET_LEVELS; level++) {
    if (level >= limits.maxDepth) {
      throw new SpecLimitError(`the specification still finds new rows at depth ${limits.maxDepth}`);
    }
    const pathsBefore = paths.length;
    const nextFrontier: World[] = [];
    for (const world of frontier) {
      if (Date.now() - started > limits.budgetMs) {
        throw new SpecLimitError(`path generation took longer than ${limits.budgetMs} ms`);
      }
      const path = reached.get(keyOf(world))!;
      for (const event of offeredEvents(world)) {
        const step = specStep(world, event)!;
        const taken: PathStep = { event, before: world, after: step.next, ...step };
        if (!step.rows.every((row) => covered.has(cellOf(row, world, step.sends)))) {
          const steps = [...path, taken];
          const hangup = specStep(step.next, 'user.hangup');
          if (hangup) steps.push({ event: 'user.hangup', before: step.next, after: hangup.next, ...hangup });
          for (const s of steps) for (const row of s.rows) covered.add(cellOf(row, s.before, s.sends));
          paths.push({ steps });
          if (paths.length > limits.maxPaths) {
            throw new SpecLimitError(`the specification needs more than ${limits.maxPaths} paths`);
          }
        }
        const key = keyOf(step.next);
        if (reached.has(key)) continue;
        if (reached.size >= limits.maxWorlds) {
          throw new SpecLimitError(`the specification reaches more than ${limits.maxWorlds} worlds`);
        }
        reached.set(key, [...path, taken]);
        nextFrontier.push(step.next);
      }
    }
    quiet = paths.length > pathsBefore ? 0 : quiet + 1;
    frontier = nextFrontier;
  }
  return paths;
}

/** Drives the table through a chosen sequence of events (a race the cover does not need); throws on a gap. */
export function scenarioPath(events: readonly SpecEvent[]): SpecPath {
  let world = START;
  const steps: PathStep[] = [];
  for (const event of events) {
    const step = specStep(world, event);
    if (!step) throw new Error(`the specification has no row for ${event} in ${placeKey(world)}`);
    steps.push({ event, before: world, after: step.next, ...step });
    world = step.next;
  }
  return { steps };
}

export const pathName = (path: SpecPath): string => path.steps.map((step) => step.event).join(' → ');
