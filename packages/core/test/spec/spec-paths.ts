// The paths the model-based test drives, generated from the specification alone: a breadth-first walk of
// the worlds the table reaches, bounded in depth, worlds, paths and time, so a wrong table fails fast
// instead of hanging. Each path reaches one row in one place no earlier path reached, then hangs up.
import { ROWS, type Row } from './call-spec.js';
import { offeredEvents, specStep } from './spec-step.js';
import { EVENTS, isInCallEvent, placeKey, type SpecEvent, START, type World } from './spec-world.js';

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

/** Bounds that fail a wrong table fast; the time bound is a guard against a hang on a busy box, not a goal. */
export const DEFAULT_LIMITS: PathLimits = {
  maxDepth: 16,
  maxWorlds: 20_000,
  maxPaths: 1_500,
  budgetMs: 60_000,
};

const keyOf = (world: World) => JSON.stringify(world);
/** Warnings given change no row: worlds that differ only in them are walked once. */
const controlsKeyOf = ({ warnings: _, ...world }: World) => JSON.stringify(world);
/** The controls a world has changed from how every call starts, as a short key (empty: none). */
function changedControls(w: World): string {
  const fields = ['mic', 'micLost', 'camera', 'video', 'hold', 'screen', 'switching', 'channel'] as const;
  return fields
    .filter((field) => w[field] !== START[field])
    .map((field) => `${field}=${w[field]}`)
    .join(' ');
}

/**
 * A row in one place, with what it sent: what the generator tries to reach at least once. A row written for
 * one region of a connected call is tried beside every place of the other region (the regions meet: an ICE
 * restart waits for renegotiation); any other row once per place. A row whose messages depend on the world
 * (the queued candidates it sends) is tried once per distinct outcome. A row that moves the call on is tried
 * once more for each setting of the controls it meets (media that arrives muted, a call that connects held
 * by the peer or with its data channel already open: the new place starts from them).
 */
const cellOf = (row: Row, world: World, sends: readonly string[], after: World) => {
  const regional = row.in.some((pattern) => pattern.startsWith('active.connected.'));
  const controls = after.at !== world.at ? changedControls(world) : '';
  return `${ROWS.indexOf(row)} @ ${regional ? placeKey(world) : world.at} → ${sends.join(', ')} ${controls}`;
};

export class SpecLimitError extends Error {
  override readonly name = 'SpecLimitError';
}

/**
 * A level of the walk that finds no new cell ends it: deeper worlds only repeat what is covered. The controls'
 * walk starts where the first left everything covered (a call being set up), so it allows two quiet levels
 * before the first control can be met.
 */
const QUIET_LEVELS = { life: 1, controls: 2 } as const;

/**
 * The second walk's events: the controls of a call, and just enough of the call's life around them — setting
 * a call up either way, connecting, renegotiating — to meet each control in each place and the media state
 * it leaves on entering `connected`. (The first walk has covered the rest of the call's life already.)
 */
const AROUND_THE_CONTROLS = new Set<SpecEvent>([
  'user.call',
  'remote.invite(peer)',
  'user.answer',
  'remote.answer',
  'op.ok',
  'op.ok(ICE already up)',
  'pc.ice(connected)',
  'timer.stats',
  'remote.negotiate(offer)',
  'remote.negotiate(answer)',
]);

/** The first walk: the call's life, every control left as a call starts (all on, nothing held). */
const LIFE_EVENTS = EVENTS.filter((event) => !isInCallEvent(event));
const lifeEvents = (world: World) => offeredEvents(world, LIFE_EVENTS);
/** The second walk: the controls, met in every place the call's setup and renegotiation lead through. */
const CONTROL_EVENTS = EVENTS.filter((event) => isInCallEvent(event) || AROUND_THE_CONTROLS.has(event));
const controlEvents = (world: World) => offeredEvents(world, CONTROL_EVENTS);

/**
 * How many of a call's controls differ from how it started (the camera counts only in a call that sends
 * video). The controls are regions side by side and a row reads at most two of them at once (the camera
 * while a screen goes instead; a screen in a call without video; a device lost while another opens), so
 * the controls' walk goes on from worlds with at most two changed instead of through their whole product.
 */
function controlsChanged(w: World): number {
  return [
    !w.mic,
    w.micLost,
    w.video && w.camera !== 'on',
    !w.video,
    w.hold !== 'none',
    w.screen !== 'off',
    w.switching !== null,
    w.channel !== 'waiting',
  ].filter(Boolean).length;
}
const MAX_CONTROLS_CHANGED = 2;

/**
 * The worlds the second walk goes on from: at most two controls changed, and a connected call on the
 * caller's side (the controls of a connected call are the same on both sides; the callee's own places,
 * ringing and answering, are walked, and so is each side's entry into `connected`), and on the callee's
 * only for hold (the polite side yields to a crossing offer, then offers again).
 */
const withinControls = (w: World) =>
  controlsChanged(w) <= MAX_CONTROLS_CHANGED &&
  !(w.at === 'active.connected' && w.direction === 'incoming' && !calleeHolding(w));
const calleeHolding = (w: World) =>
  changedControls(w)
    .replace(/hold=\w+/, '')
    .trim() === '';

interface Walk {
  readonly limits: PathLimits;
  readonly started: number;
  readonly covered: Set<string>;
  readonly paths: SpecPath[];
}

/**
 * Breadth-first over the worlds the table reaches with the events `offer` gives, level by level, so the
 * first path to reach a cell is a short one: each step that takes a row in a place no earlier path took
 * becomes a path (the shortest road to its world, the step, then a hang-up). Stops when `QUIET_LEVELS`
 * levels in a row find nothing new.
 */
function walk(
  state: Walk,
  offer: (world: World) => SpecEvent[],
  quietLevels: number,
  goesOn: (world: World) => boolean = () => true,
  key: (world: World) => string = keyOf,
): void {
  const { limits, covered, paths } = state;
  const reached = new Map<string, PathStep[]>([[key(START), []]]);
  let frontier: World[] = [START];
  let quiet = 0;
  for (let level = 0; frontier.length > 0 && quiet < quietLevels; level++) {
    if (level >= limits.maxDepth) {
      throw new SpecLimitError(`the specification still finds new rows at depth ${limits.maxDepth}`);
    }
    const pathsBefore = paths.length;
    const nextFrontier: World[] = [];
    for (const world of frontier) {
      if (Date.now() - state.started > limits.budgetMs) {
        throw new SpecLimitError(`path generation took longer than ${limits.budgetMs} ms`);
      }
      const path = reached.get(key(world))!;
      for (const event of offer(world)) {
        const step = specStep(world, event)!;
        const taken: PathStep = { event, before: world, after: step.next, ...step };
        if (!step.rows.every((row) => covered.has(cellOf(row, world, step.sends, step.next)))) {
          const steps = [...path, taken];
          const hangup = specStep(step.next, 'user.hangup');
          if (hangup) steps.push({ event: 'user.hangup', before: step.next, after: hangup.next, ...hangup });
          for (const s of steps)
            for (const row of s.rows) covered.add(cellOf(row, s.before, s.sends, s.after));
          paths.push({ steps });
          if (paths.length > limits.maxPaths) {
            throw new SpecLimitError(`the specification needs more than ${limits.maxPaths} paths`);
          }
        }
        const nextKey = key(step.next);
        if (reached.has(nextKey) || !goesOn(step.next)) continue;
        if (reached.size >= limits.maxWorlds) {
          throw new SpecLimitError(`the specification reaches more than ${limits.maxWorlds} worlds`);
        }
        reached.set(nextKey, [...path, taken]);
        nextFrontier.push(step.next);
      }
    }
    quiet = paths.length > pathsBefore ? 0 : quiet + 1;
    frontier = nextFrontier;
  }
}

/**
 * The paths that cover the table, in two walks: the call's life with its controls left alone, then the
 * controls with just the events around them (walking both at once would multiply every place of the call's
 * life by every setting of its controls, for no row the two walks do not reach apart).
 */
export function generatePaths(limits: PathLimits = DEFAULT_LIMITS): SpecPath[] {
  const state: Walk = { limits, started: Date.now(), covered: new Set(), paths: [] };
  walk(state, lifeEvents, QUIET_LEVELS.life);
  walk(state, controlEvents, QUIET_LEVELS.controls, withinControls, controlsKeyOf);
  return state.paths;
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
