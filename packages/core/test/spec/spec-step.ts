// How the table is read: which rows apply to a world and an event, and the world they lead to. The rules of
// a statechart, kept small: in each place (each region of a connected call) the most specific row wins;
// a row written for a whole connected call or an ancestor applies only where no region has a row of its own.
import { ROWS, type Row } from './call-spec.js';
import {
  CONDITIONS,
  DEFAULT_MEDIA_STATE,
  EVENTS,
  enter,
  expandMessages,
  mediaStateMessage,
  placesOf,
  type SpecEvent,
  timersRunning,
  type World,
} from './spec-world.js';

export interface SpecStep {
  readonly rows: readonly Row[];
  readonly next: World;
  /** What the call sends in this step, in the message notation of the rows. */
  readonly sends: readonly string[];
  /** What the call emits to the app in this step. */
  readonly emits: readonly string[];
}

/** The rows for each event (Node 20 has no `Map.groupBy`). */
const ROWS_BY_EVENT = new Map<SpecEvent, Row[]>();
for (const row of ROWS) ROWS_BY_EVENT.set(row.on, [...(ROWS_BY_EVENT.get(row.on) ?? []), row]);

const covers = (pattern: string, place: string) => place === pattern || place.startsWith(`${pattern}.`);
const depth = (pattern: string) => pattern.split('.').length;

function rowDepthFor(row: Row, place: string): number {
  let best = -1;
  for (const pattern of row.in) if (covers(pattern, place)) best = Math.max(best, depth(pattern));
  return best;
}

/** The rows that decide what `event` does in `world`; empty if the specification says it cannot happen there. */
export function selectRows(world: World, event: SpecEvent): Row[] {
  if (world.at === 'ended') return [];
  const candidates = (ROWS_BY_EVENT.get(event) ?? []).filter((row) =>
    (row.if ?? []).every((condition) => CONDITIONS[condition](world)),
  );
  const chosen = new Map<Row, number>();
  for (const place of placesOf(world)) {
    let best: Row[] = [];
    let bestDepth = -1;
    for (const row of candidates) {
      const d = rowDepthFor(row, place);
      if (d < 0 || d < bestDepth) continue;
      if (d > bestDepth) best = [];
      best.push(row);
      bestDepth = d;
    }
    if (best.length > 1) {
      throw new Error(`the specification is ambiguous for ${event} in ${place}: ${best.length} rows`);
    }
    if (best[0]) chosen.set(best[0], bestDepth);
  }
  // A region's own row outranks a row for the whole call (the statechart's conflict rule).
  const deepest = Math.max(...chosen.values());
  return [...chosen].filter(([, d]) => d === deepest).map(([row]) => row);
}

export function specStep(world: World, event: SpecEvent): SpecStep | null {
  const rows = selectRows(world, event);
  if (rows.length === 0) return null;
  let next = world;
  const sends: string[] = [];
  const emits: string[] = [];
  const said: string[] = [];
  for (const row of rows) {
    said.push(...(row.send ?? []));
    emits.push(...(row.emit ?? []));
    if (row.set) next = { ...next, ...row.set };
    if (row.warn && !next.warnings.includes(row.warn))
      next = { ...next, warnings: [...next.warnings, row.warn] };
    if (row.to) next = enter(next, row.to);
    if (row.end) next = { ...next, end: { code: row.end[0], by: row.end[1] } };
  }
  sends.push(...expandMessages(said, world, next));
  // Entering `connected`, a side whose media differs from what every call starts with says so.
  if (world.at !== 'active.connected' && next.at === 'active.connected') {
    if (mediaStateMessage(next) !== DEFAULT_MEDIA_STATE) sends.push(mediaStateMessage(next));
  }
  return { rows, next, sends, emits };
}

/**
 * The events a call can meet in a world: those some row speaks of. Timers only while they are pending;
 * the specification lists no row for what cannot happen (nobody answers an invite that is not out).
 */
export function offeredEvents(world: World, among: readonly SpecEvent[] = EVENTS): SpecEvent[] {
  const timers = new Set(timersRunning(world).map((timer) => `timer.${timer}`));
  return among.filter(
    (event) => (!event.startsWith('timer.') || timers.has(event)) && selectRows(world, event).length > 0,
  );
}
