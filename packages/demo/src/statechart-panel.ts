// The demo's statechart panel: @handset/inspector's <handset-statechart> drawing `callMachine`, fed by the
// phone's `inspect` option, so it works offline and shows exactly the machine the phone runs.
import { createStatechartInspector, defineStatechartElement } from '@handset/inspector';
import type { AnyStateMachine, InspectionEvent } from 'xstate';

const LOG_LENGTH = 12;

export interface StatechartPanel {
  /** Pass as (part of) the phone's `inspect` option. */
  readonly inspect: (event: InspectionEvent) => void;
  /** The active state ids currently highlighted (tests and the README read this). */
  activeIds(): ReadonlySet<string>;
}

export function createStatechartPanel(
  machine: AnyStateMachine,
  container: HTMLElement,
  log: HTMLOListElement,
): StatechartPanel {
  defineStatechartElement();
  const chart = document.createElement('handset-statechart');
  chart.setAttribute('log-limit', String(LOG_LENGTH));
  // Scroll to the call's progress, not to every candidate batch the trickle region starts and ends.
  chart.setAttribute('follow', 'call.idle call.active.phase call.ended');
  // The page has its own "Last transitions" list under the diagram; the element writes there.
  chart.logList = log;
  chart.machine = machine;
  container.replaceChildren(chart);
  let active: ReadonlySet<string> = new Set();
  chart.addEventListener('statechart-change', (event) => {
    active = new Set(event.detail.activeStateIds);
    // The page's test hook, as before the element: `#statechart[data-active-states]`.
    container.dataset.activeStates = [...active].join(' ');
  });
  const inspector = createStatechartInspector(chart);
  return {
    inspect: (event) => inspector.next?.(event),
    activeIds: () => active,
  };
}
