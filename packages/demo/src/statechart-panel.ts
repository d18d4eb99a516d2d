// Draws the call statechart as nested boxes and lights up the active states. Fed by the phone's
// `inspect` option, so it works offline and shows exactly the machine the phone runs.
import type { AnyStateMachine, InspectionEvent, StateValue } from 'xstate';
import {
  activeStateIds,
  type ChartState,
  type ChartTransition,
  chartOf,
  describeTrigger,
} from './statechart-model.js';

const LOG_LENGTH = 12;

export interface StatechartPanel {
  /** Pass as (part of) the phone's `inspect` option. */
  readonly inspect: (event: InspectionEvent) => void;
  /** The active state ids currently highlighted (tests and the README read this). */
  activeIds(): ReadonlySet<string>;
}

function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className: string,
  text?: string,
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function transitionItem(transition: ChartTransition): HTMLLIElement {
  const item = element('li', 'transition');
  item.append(element('span', 'trigger', transition.trigger));
  if (transition.guard) item.append(element('span', 'guard', `[${transition.guard}]`));
  if (transition.targets.length > 0)
    item.append(element('span', 'target', `→ ${transition.targets.join(', ')}`));
  if (transition.actions.length > 0)
    item.append(element('span', 'actions', `/ ${transition.actions.join(', ')}`));
  return item;
}

function stateBox(state: ChartState, boxes: Map<string, HTMLElement>): HTMLElement {
  const box = element('div', `state state-${state.type}`);
  box.dataset.stateId = state.id;
  const title = element('div', 'state-title');
  if (state.initial) title.append(element('span', 'initial-marker', '●'));
  title.append(element('span', 'state-name', state.key));
  if (state.type === 'parallel') title.append(element('span', 'state-kind', 'parallel'));
  if (state.type === 'final') title.append(element('span', 'state-kind', 'final'));
  box.append(title);
  if (state.invokes.length > 0) box.append(element('div', 'invokes', `invoke ${state.invokes.join(', ')}`));
  const visible = state.transitions.filter((t) => t.trigger !== 'signal');
  if (visible.length > 0) {
    const list = element('ul', 'transitions');
    for (const transition of visible) list.append(transitionItem(transition));
    box.append(list);
  }
  if (state.children.length > 0) {
    const children = element('div', 'children');
    for (const child of state.children) children.append(stateBox(child, boxes));
    box.append(children);
  }
  boxes.set(state.id, box);
  return box;
}

function describeValue(value: StateValue): string {
  if (typeof value === 'string') return value;
  return Object.entries(value)
    .map(([key, child]) =>
      child === undefined || (typeof child === 'object' && Object.keys(child).length === 0)
        ? key
        : `${key}.${describeValue(child)}`,
    )
    .join(' | ');
}

function isStateValue(value: unknown): value is StateValue {
  return typeof value === 'string' || (typeof value === 'object' && value !== null);
}

export function createStatechartPanel(
  machine: AnyStateMachine,
  container: HTMLElement,
  log: HTMLOListElement,
): StatechartPanel {
  const chart = chartOf(machine);
  const boxes = new Map<string, HTMLElement>();
  container.replaceChildren(stateBox(chart, boxes));
  let active = new Set<string>();
  let seenCall = false;

  function show(ids: Set<string>, eventType: string, value: StateValue): void {
    const changed = ids.size !== active.size || [...ids].some((id) => !active.has(id));
    for (const id of active) if (!ids.has(id)) boxes.get(id)?.classList.remove('active');
    for (const id of ids) boxes.get(id)?.classList.add('active');
    active = ids;
    container.dataset.activeStates = [...ids].join(' ');
    if (!changed) return;
    const entry = element('li', 'log-entry');
    entry.append(
      element('span', 'trigger', describeTrigger(eventType, machine)),
      element('span', 'target', `→ ${describeValue(value)}`),
    );
    log.prepend(entry);
    while (log.children.length > LOG_LENGTH) log.lastElementChild?.remove();
  }

  return {
    inspect(event) {
      // Only the call actor itself: its invoked helpers (getUserMedia, offers...) report snapshots too.
      if (event.type !== '@xstate.snapshot' || event.actorRef.sessionId !== event.rootId) return;
      const snapshot = event.snapshot as { value?: unknown };
      if (!isStateValue(snapshot.value)) return;
      // Like the phone, keep the last call on screen while the next one waits unseen in `idle`.
      if (snapshot.value === 'idle' && seenCall) return;
      if (snapshot.value !== 'idle') seenCall = true;
      show(activeStateIds(chart.id, snapshot.value), event.event.type, snapshot.value);
    },
    activeIds: () => active,
  };
}
