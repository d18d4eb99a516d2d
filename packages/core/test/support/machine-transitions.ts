// Every transition of a machine, read from its state nodes (not from a hand-written list), and a stable
// key for each, so the transitions a real actor takes can be counted against the whole set.
import type { AnyStateMachine, AnyStateNode, AnyTransitionDefinition } from 'xstate';

function stateNodesOf(node: AnyStateNode): AnyStateNode[] {
  return [node, ...Object.values(node.states).flatMap((child) => stateNodesOf(child as AnyStateNode))];
}

/**
 * `<source state id> <event type or "always"> #<index in its array>`: the index tells apart the guarded
 * branches of one transition array. `on`, `after` and invoke `onDone`/`onError` transitions all live in
 * `stateNode.transitions`, keyed by event type; eventless ones in `stateNode.always`.
 */
export function transitionKey(transition: AnyTransitionDefinition): string {
  const source = transition.source;
  const eventless = source.always?.indexOf(transition) ?? -1;
  if (eventless >= 0) return `${source.id} always #${eventless}`;
  const branches = source.transitions.get(transition.eventType) ?? [];
  const index = branches.indexOf(transition);
  if (index < 0) throw new Error(`transition ${transition.eventType} is not one of ${source.id}'s`);
  return `${source.id} ${transition.eventType} #${index}`;
}

export function allTransitionKeys(machine: AnyStateMachine): string[] {
  return stateNodesOf(machine.root).flatMap((node) => [
    ...[...node.transitions.values()].flat().map(transitionKey),
    ...(node.always ?? []).map(transitionKey),
  ]);
}
