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
/** A row in one place: what the generator tries to reach at least once. */
const cellOf = (row: Row, world: World) => `${ROWS.indexOf(row)} @ ${placeKey(world)}`;

export class SpecLimitError extends Error {
  override readonly name = 'SpecLimitError';
}

/** Every world the table reaches within the limits, each with its shortest path from the start. */
function explore(limits: PathLimits): Map<string, { world: World; path: PathStep[] }> {
  const started = Date.now();
  const reached = new Map<string, { world: World; path: PathStep[] }>([
    [keyOf(START), { world: START, path: [] }],
  ]);
  let frontier: World[] = [START];
  for (let level = 0; frontier.length > 0 && level < limits.maxDepth; level++) {
    const nextFrontier: World[] = [];
    for (const world of frontier) {
      if (Date.now() - started > limits.budgetMs) {
        throw new SpecLimitError(`path generation took longer than ${limits.budgetMs} ms`);
      }
      const path = reached.get(keyOf(world))!.path;
      for (const event of offeredEvents(world)) {
        const step = specStep(world, event)!;
        const key = keyOf(step.next);
        if (reached.has(key)) continue;
        if (reached.size >= limits.maxWorlds) {
          throw new SpecLimitError(`the specification reaches more than ${limits.maxWorlds} worlds`);
        }
        reached.set(key, {
          world: step.next,
          path: [...path, { event, before: world, after: step.next, ...step }],
        });
        nextFrontier.push(step.next);
      }
    }
    frontier = nextFrontier;
  }
  return reached;
}

export function generatePaths(limits: PathLimits = DEFAULT_LIMITS): SpecPath[] {
  const reached = explore(limits);
  const covered = new Set<string>();
  const paths: SpecPath[] = [];
  // Worlds in breadth-first order, so the first path to reach a cell is a short one.
  for (const { world, path } of reached.values()) {
    for (const event of offeredEvents(world)) {
      const step = specStep(world, event)!;
      if (step.rows.every((row) => covered.has(cellOf(row, world)))) continue;
      const steps: PathStep[] = [...path, { event, before: world, after: step.next, ...step }];
      const hangup = specStep(step.next, 'user.hangup');
      if (hangup) steps.push({ event: 'user.hangup', before: step.next, after: hangup.next, ...hangup });
      for (const taken of steps) for (const row of taken.rows) covered.add(cellOf(row, taken.before));
      paths.push({ steps });
      if (paths.length > limits.maxPaths) {
        throw new SpecLimitError(`the specification needs more than ${limits.maxPaths} paths`);
      }
    }
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
