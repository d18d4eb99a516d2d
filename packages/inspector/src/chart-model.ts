// Turns a machine's state nodes into a plain tree the diagram is drawn from: states, their transitions (with
// guards, delays and invoked actors named as `setup` named them), and which child is initial.
import type { AnyStateMachine, StateValue } from 'xstate';

export interface ChartTransition {
  /** What triggers it, in words: `user.call`, `after inviteTimeout`, `done acquireMedia`, `always`. */
  trigger: string;
  guard: string | null;
  /** Target paths relative to the machine (`active.outgoing`), empty for a self/internal transition. */
  targets: string[];
  /** Named actions of a transition that stays put (e.g. `replyBusy`): what it does instead of moving. */
  actions: string[];
}

export interface ChartState {
  /** The state node id, e.g. `call.active.outgoing.ringing`. */
  id: string;
  key: string;
  type: 'atomic' | 'compound' | 'parallel' | 'final' | 'history';
  initial: boolean;
  invokes: string[];
  /** In the order `transitionsOf` lists them, so `${id}:${index}` names one transition everywhere. */
  transitions: ChartTransition[];
  children: ChartState[];
}

/** The parts of XState's StateNode the chart reads; kept structural so the element does not reach into internals. */
export interface StateNodeLike {
  id: string;
  key: string;
  type: ChartState['type'];
  parent?: StateNodeLike | undefined;
  config: { initial?: unknown };
  states: Record<string, StateNodeLike>;
  on: Record<string, readonly TransitionLike[]>;
  always?: readonly TransitionLike[] | undefined;
  invoke: readonly { src: unknown }[];
}

export interface TransitionLike {
  eventType: string;
  guard?: unknown;
  target?: readonly { id: string }[] | undefined;
  actions?: readonly unknown[];
  source?: StateNodeLike;
}

/** Every transition a state node declares, in one fixed order (events, delays, done/error, then eventless). */
export function transitionsOf(node: StateNodeLike): readonly TransitionLike[] {
  return [...Object.values(node.on).flat(), ...(node.always ?? [])];
}

/** The name every part of the element uses for one transition: its source state id and its place there. */
export function transitionId(stateId: string, index: number): string {
  return `${stateId}:${index}`;
}

function guardName(guard: unknown): string | null {
  if (guard === undefined || guard === null) return null;
  if (typeof guard === 'string') return guard;
  if (typeof guard === 'object' && 'type' in guard && typeof guard.type === 'string') return guard.type;
  // and([...]) / or([...]) / stateIn(...) are functions: the chart shows that a guard exists.
  return 'guarded';
}

function actionName(action: unknown): string | null {
  if (typeof action === 'string') return action;
  if (typeof action === 'object' && action !== null && 'type' in action && typeof action.type === 'string') {
    return action.type;
  }
  return null;
}

function invokedBy(node: StateNodeLike): string {
  return node.invoke.map((i) => (typeof i.src === 'string' ? i.src : 'actor')).join(', ');
}

/**
 * XState's internal event names in words: `xstate.done.actor.0.call.active.acquiringMedia` is
 * `done acquireMedia`, `xstate.after.inviteTimeout.call.active.outgoing` is `after inviteTimeout`.
 */
export function describeTrigger(eventType: string, machine: AnyStateMachine): string {
  if (eventType === '') return 'always';
  const settled = /^xstate\.(done|error)\.actor\.\d+\.(.+)$/.exec(eventType);
  if (settled) {
    let src = 'actor';
    try {
      src = invokedBy(machine.getStateNodeById(settled[2]!) as unknown as StateNodeLike) || src;
    } catch {
      // Not a state node id (an actor invoked with an explicit id): the generic name will do.
    }
    return `${settled[1]} ${src}`;
  }
  const delayed = /^xstate\.after\.([^.]+)\./.exec(eventType);
  if (delayed) return `after ${delayed[1]}`;
  return eventType;
}

function relativePath(id: string, machineId: string): string {
  return id.startsWith(`${machineId}.`) ? id.slice(machineId.length + 1) : id;
}

function chartState(node: StateNodeLike, machine: AnyStateMachine, machineId: string): ChartState {
  const transitions: ChartTransition[] = [];
  for (const transition of transitionsOf(node)) {
    const targets = (transition.target ?? []).map((target) => relativePath(target.id, machineId));
    transitions.push({
      trigger: describeTrigger(transition.eventType, machine),
      guard: guardName(transition.guard),
      targets,
      actions:
        targets.length > 0
          ? []
          : (transition.actions ?? []).map(actionName).filter((name): name is string => name !== null),
    });
  }
  const parentInitial = node.parent?.config.initial;
  return {
    id: node.id,
    key: node.key,
    type: node.type,
    initial: node.parent?.type === 'compound' && parentInitial === node.key,
    invokes: node.invoke.map((i) => (typeof i.src === 'string' ? i.src : 'actor')),
    transitions,
    children: Object.values(node.states).map((child) => chartState(child, machine, machineId)),
  };
}

/** The machine as a plain tree, root first. */
export function chartOf(machine: AnyStateMachine): ChartState {
  const root = machine.root as unknown as StateNodeLike;
  return chartState(root, machine, root.id);
}

/** Every active state node id for a snapshot value, ancestors included: `{active:'incoming'}` → call, call.active, call.active.incoming. */
export function activeStateIds(machineId: string, value: StateValue): Set<string> {
  const ids = new Set<string>([machineId]);
  const visit = (prefix: string, current: StateValue) => {
    if (typeof current === 'string') {
      ids.add(`${prefix}.${current}`);
      return;
    }
    for (const [key, child] of Object.entries(current)) {
      ids.add(`${prefix}.${key}`);
      if (child !== undefined) visit(`${prefix}.${key}`, child);
    }
  };
  visit(machineId, value);
  return ids;
}

/** The same, walked through the chart by state keys, so states with their own `id` are found too. */
export function activeStatesIn(chart: ChartState, value: StateValue): Set<string> {
  const ids = new Set<string>([chart.id]);
  const visit = (state: ChartState, current: StateValue) => {
    const entries: [string, StateValue | undefined][] =
      typeof current === 'string' ? [[current, undefined]] : Object.entries(current);
    for (const [key, child] of entries) {
      const next = state.children.find((c) => c.key === key);
      if (!next) continue;
      ids.add(next.id);
      if (child !== undefined) visit(next, child);
    }
  };
  visit(chart, value);
  return ids;
}

/** A snapshot value in one line: `active.connected.ice.stable | active.connected.negotiation.stable`. */
export function describeValue(value: StateValue): string {
  if (typeof value === 'string') return value;
  return Object.entries(value)
    .map(([key, child]) =>
      child === undefined || (typeof child === 'object' && Object.keys(child).length === 0)
        ? key
        : `${key}.${describeValue(child)}`,
    )
    .join(' | ');
}
