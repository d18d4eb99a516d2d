// Turns a machine's state nodes into a plain tree the panel can draw: states, their transitions (with
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
  transitions: ChartTransition[];
  children: ChartState[];
}

/** The parts of XState's StateNode the chart reads; kept structural so the panel does not reach into internals. */
interface NodeLike {
  id: string;
  key: string;
  type: ChartState['type'];
  parent?: NodeLike | undefined;
  config: { initial?: unknown };
  states: Record<string, NodeLike>;
  on: Record<string, readonly TransitionLike[]>;
  always?: readonly TransitionLike[] | undefined;
  invoke: readonly { src: unknown }[];
}

interface TransitionLike {
  eventType: string;
  guard?: unknown;
  target?: readonly { id: string }[] | undefined;
  actions?: readonly unknown[];
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

function invokedBy(node: NodeLike): string {
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
      src = invokedBy(machine.getStateNodeById(settled[2]!) as unknown as NodeLike) || src;
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

function chartState(node: NodeLike, machine: AnyStateMachine, machineId: string): ChartState {
  const transitions: ChartTransition[] = [];
  const all = [...Object.values(node.on).flat(), ...(node.always ?? [])];
  for (const transition of all) {
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

export function chartOf(machine: AnyStateMachine): ChartState {
  const root = machine.root as unknown as NodeLike;
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
