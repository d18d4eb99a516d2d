// Reads XState inspection events into steps of one running machine: the states now active and the
// transitions that got it there. Only steps that move (a transition with a target) count; a transition
// that stays put (stats samples, buffered candidates) would otherwise bury the last real one.
import type { AnyStateMachine, InspectionEvent, StateValue } from 'xstate';
import {
  activeStatesIn,
  type ChartState,
  describeTrigger,
  type StateNodeLike,
  type TransitionLike,
  transitionId,
  transitionsOf,
} from './chart-model.js';

export interface StatechartStep {
  /** Every active state id, ancestors included. */
  activeIds: ReadonlySet<string>;
  /** The transitions taken (`stateId:index`), eventless ones after the event's own. */
  transitionIds: string[];
  /** The event in words (`user.call`, `after inviteTimeout`, `done acquireMedia`). */
  trigger: string;
  value: StateValue;
}

interface SnapshotLike {
  value?: unknown;
  machine?: { id?: unknown };
}

function isStateValue(value: unknown): value is StateValue {
  return typeof value === 'string' || (typeof value === 'object' && value !== null);
}

function takenBy(transitions: readonly unknown[]): string[] {
  const ids: string[] = [];
  for (const transition of transitions as readonly TransitionLike[]) {
    const source = transition.source;
    if (!source || !transition.target || transition.target.length === 0) continue;
    const index = transitionsOf(source as StateNodeLike).indexOf(transition);
    if (index >= 0) ids.push(transitionId(source.id, index));
  }
  return ids;
}

/**
 * An inspection observer for `machine`: calls `onStep` for each step that moves. It follows the actor that
 * moved last: a new actor of the same machine in its initial state does not take over, so the last run stays
 * on screen while the next one waits (a phone starts a fresh call actor for every call).
 */
export function createStepReader(
  machine: AnyStateMachine,
  chart: ChartState,
  onStep: (step: StatechartStep) => void,
): (event: InspectionEvent) => void {
  const pending = new Map<string, string[]>();
  let shown: string | null = null;
  let active = new Set<string>();

  return (event) => {
    if (event.type !== '@xstate.microstep' && event.type !== '@xstate.snapshot') return;
    const snapshot = event.snapshot as SnapshotLike;
    if (snapshot.machine?.id !== machine.id || !isStateValue(snapshot.value)) return;
    const session = event.actorRef.sessionId;
    if (event.type === '@xstate.microstep') {
      pending.set(session, [...(pending.get(session) ?? []), ...takenBy(event._transitions)]);
      return;
    }
    const taken = pending.get(session) ?? [];
    pending.delete(session);
    const ids = activeStatesIn(chart, snapshot.value);
    const moved = taken.length > 0 || ids.size !== active.size || [...ids].some((id) => !active.has(id));
    // Another actor takes the screen only with a transition (its initial state alone leaves the last run up).
    if (session !== shown && shown !== null && taken.length === 0) return;
    if (session === shown && !moved) return;
    shown = session;
    active = ids;
    onStep({
      activeIds: ids,
      transitionIds: taken,
      trigger: describeTrigger(event.event.type, machine),
      value: snapshot.value,
    });
  };
}
