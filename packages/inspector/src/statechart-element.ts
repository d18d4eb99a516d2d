// <handset-statechart>: draws the machine it is given and lights the states a running actor is in, from
// XState's inspection events. Framework-free; registered only by `defineStatechartElement()`.
import type { AnyStateMachine, InspectionEvent, Observer } from 'xstate';
import { type ChartState, chartOf, describeValue } from './chart-model.js';
import { type Box, type DiagramLayout, type ElkLayouter, layoutStatechart } from './diagram-layout.js';
import { type DrawnDiagram, drawDiagram } from './diagram-svg.js';
import { STATECHART_STYLE } from './element-style.js';
import {
  DIAGRAM_METRICS,
  elkGraphOf,
  MONOSPACE_TEXT,
  type StatechartGraph,
  type TextWidth,
} from './elk-graph.js';
import { InspectorError } from './inspector-error.js';
import { createStepReader, type StatechartStep } from './live-steps.js';

export const STATECHART_TAG = 'handset-statechart';

/** `detail` of the `statechart-change` event: what the diagram shows now. */
export interface StatechartChange {
  activeStateIds: string[];
  /** The transitions of the last step (`stateId:index`), lit on the diagram. */
  transitionIds: string[];
  trigger: string;
  /** The new state value in one line (`active.outgoing.ringing`). */
  target: string;
}

export interface HandsetStatechartElement extends HTMLElement {
  /** The machine to draw; setting it lays the diagram out anew and forgets the log. */
  machine: AnyStateMachine | null;
  /** Pass as (part of) the phone's `inspect` option, or to XState's `createActor(machine, { inspect })`. */
  readonly inspector: Observer<InspectionEvent>;
  /** Where the log goes: its own list beside the diagram (default), or a list of the page's. */
  logList: HTMLOListElement | null;
  /** Lays the graph out; default: elkjs's bundled build in the page. Give one that runs elkjs in a Worker for big machines. */
  layouter: ElkLayouter | null;
  readonly activeStateIds: readonly string[];
  readonly lastTransitionIds: readonly string[];
  /** Why the diagram is not drawn (`layout-failed`, `not-a-machine`), or null. */
  readonly error: InspectorError | null;
  /** Settles when the current machine's diagram is on screen (or has failed: see `error`). */
  whenDrawn(): Promise<void>;
}

declare global {
  interface HTMLElementTagNameMap {
    'handset-statechart': HandsetStatechartElement;
  }
  interface HTMLElementEventMap {
    /** The diagram follows a new step (`detail`: active states, transitions lit, the log line). */
    'statechart-change': CustomEvent<StatechartChange>;
    /** The current machine's diagram is on screen. */
    'statechart-drawn': Event;
    /** The diagram cannot be drawn (`detail.code`: `layout-failed`, `not-a-machine`). */
    'statechart-error': CustomEvent<InspectorError>;
  }
}

const DEFAULT_LOG_LIMIT = 50;
const FONT_FAMILY = `ui-monospace, 'DejaVu Sans Mono', Menlo, Consolas, monospace`;

/** Measures with the browser's own font metrics, so box and label sizes fit the drawn text. */
function browserTextWidth(doc: Document): TextWidth {
  const context = doc.createElement('canvas').getContext('2d');
  if (!context) return MONOSPACE_TEXT;
  return (text, style) => {
    const size = style === 'name' ? DIAGRAM_METRICS.nameFontSize : DIAGRAM_METRICS.detailFontSize;
    context.font = `${style === 'name' ? '700 ' : ''}${size}px ${FONT_FAMILY}`;
    return Math.ceil(context.measureText(text).width);
  };
}

function isMachine(value: unknown): value is AnyStateMachine {
  if (typeof value !== 'object' || value === null || !('root' in value) || !('id' in value)) return false;
  const root = value.root;
  return typeof root === 'object' && root !== null && 'states' in root;
}

function logItem(doc: Document, step: StatechartStep, target: string): HTMLLIElement {
  const item = doc.createElement('li');
  item.className = 'log-entry';
  const trigger = doc.createElement('span');
  trigger.className = 'trigger';
  trigger.textContent = step.trigger;
  const to = doc.createElement('span');
  to.className = 'target';
  to.textContent = `→ ${target}`;
  item.append(trigger, to);
  return item;
}

/**
 * The innermost states a step entered, relative to the machine (`phase.outgoing.ringing`): shorter than the
 * whole value once a machine has parallel regions. Empty when the step re-entered the states it left.
 */
function describeEntered(before: ReadonlySet<string>, after: ReadonlySet<string>, rootId: string): string {
  const entered = [...after].filter((id) => !before.has(id));
  const innermost = entered.filter((id) => !entered.some((other) => other.startsWith(`${id}.`)));
  return innermost.map((id) => (id.startsWith(`${rootId}.`) ? id.slice(rootId.length + 1) : id)).join(', ');
}

function setLit(nodes: Iterable<Element>, lit: boolean): void {
  for (const node of nodes) node.setAttribute('data-last', String(lit));
}

let defined: CustomElementConstructor | null = null;

function elementClass(): CustomElementConstructor {
  return class HandsetStatechart extends HTMLElement implements HandsetStatechartElement {
    readonly inspector: Observer<InspectionEvent> = { next: (event) => this.#read?.(event) };
    layouter: ElkLayouter | null = null;
    #machine: AnyStateMachine | null = null;
    #graph: StatechartGraph | null = null;
    #drawn: DrawnDiagram | null = null;
    #boxes = new Map<string, Box>();
    #read: ((event: InspectionEvent) => void) | null = null;
    #active = new Set<string>();
    #last: string[] = [];
    #error: InspectorError | null = null;
    #drawing: Promise<void> = Promise.resolve();
    #generation = 0;
    #logList: HTMLOListElement | null = null;
    readonly #pane: HTMLDivElement;
    readonly #ownLog: HTMLOListElement;

    constructor() {
      super();
      const root = this.attachShadow({ mode: 'open' });
      const style = document.createElement('style');
      style.textContent = STATECHART_STYLE;
      this.#pane = document.createElement('div');
      this.#pane.className = 'pane';
      this.#pane.setAttribute('part', 'diagram');
      this.#ownLog = document.createElement('ol');
      this.#ownLog.className = 'log';
      this.#ownLog.reversed = true;
      this.#ownLog.setAttribute('part', 'log');
      this.#ownLog.setAttribute('aria-label', 'Transitions, newest first');
      root.append(style, this.#pane, this.#ownLog);
    }

    connectedCallback(): void {
      // A custom element may not set its own attributes while it is being constructed.
      if (!this.dataset.diagram) this.dataset.diagram = this.#pane.dataset.diagram ?? 'empty';
    }

    get machine(): AnyStateMachine | null {
      return this.#machine;
    }

    set machine(value: AnyStateMachine | null) {
      this.#generation += 1;
      this.#machine = null;
      this.#graph = null;
      this.#drawn = null;
      this.#boxes = new Map();
      this.#read = null;
      this.#active = new Set();
      this.#last = [];
      this.#error = null;
      this.#log().replaceChildren();
      this.#pane.replaceChildren();
      this.removeAttribute('data-active-states');
      if (value === null) {
        this.#show('empty');
        this.#drawing = Promise.resolve();
        return;
      }
      if (!isMachine(value)) {
        this.#fail(InspectorError.notAMachine(value));
        this.#drawing = Promise.resolve();
        return;
      }
      const chart = chartOf(value);
      this.#machine = value;
      this.#graph = elkGraphOf(chart, browserTextWidth(document));
      this.#read = createStepReader(value, chart, (step) => this.#step(step));
      this.#drawing = this.#draw(this.#generation, this.#graph, chart);
    }

    get logList(): HTMLOListElement | null {
      return this.#logList;
    }

    set logList(list: HTMLOListElement | null) {
      this.#logList = list;
      this.#ownLog.hidden = list !== null;
    }

    get activeStateIds(): readonly string[] {
      return [...this.#active];
    }

    get lastTransitionIds(): readonly string[] {
      return this.#last;
    }

    get error(): InspectorError | null {
      return this.#error;
    }

    whenDrawn(): Promise<void> {
      return this.#drawing;
    }

    #log(): HTMLOListElement {
      return this.#logList ?? this.#ownLog;
    }

    #show(state: 'empty' | 'laying-out' | 'drawn' | 'failed'): void {
      this.dataset.diagram = state;
      this.#pane.dataset.diagram = state;
    }

    #fail(error: InspectorError): void {
      this.#error = error;
      this.#show('failed');
      const message = document.createElement('p');
      message.className = 'failure';
      message.setAttribute('role', 'alert');
      message.textContent = error.message;
      this.#pane.replaceChildren(message);
      this.dispatchEvent(new CustomEvent('statechart-error', { detail: error }));
    }

    async #draw(generation: number, graph: StatechartGraph, chart: ChartState): Promise<void> {
      this.#show('laying-out');
      let layout: DiagramLayout;
      try {
        layout = await layoutStatechart(graph, this.layouter ?? undefined);
      } catch (error) {
        if (generation === this.#generation) {
          this.#fail(error instanceof InspectorError ? error : InspectorError.layoutFailed(error));
        }
        return;
      }
      if (generation !== this.#generation) return;
      this.#drawn = drawDiagram(layout, `Statechart of ${chart.id}`, document);
      this.#boxes = new Map(layout.states.map((state) => [state.id, state.box]));
      this.#pane.replaceChildren(this.#drawn.svg);
      this.#light(new Set(), this.#active, [], this.#last);
      this.#show('drawn');
      this.dispatchEvent(new CustomEvent('statechart-drawn'));
    }

    #step(step: StatechartStep): void {
      const before = this.#active;
      const lastBefore = this.#last;
      this.#active = new Set(step.activeIds);
      this.#last = step.transitionIds;
      this.#light(before, this.#active, lastBefore, this.#last);
      this.#follow(before);
      this.setAttribute('data-active-states', [...this.#active].join(' '));
      const target =
        describeEntered(before, this.#active, this.#machine?.id ?? '') || describeValue(step.value);
      const log = this.#log();
      log.prepend(logItem(document, step, target));
      const limit = Number(this.getAttribute('log-limit')) || DEFAULT_LOG_LIMIT;
      while (log.children.length > limit) log.lastElementChild?.remove();
      const detail: StatechartChange = {
        activeStateIds: [...this.#active],
        transitionIds: [...this.#last],
        trigger: step.trigger,
        target,
      };
      this.dispatchEvent(new CustomEvent('statechart-change', { detail }));
    }

    #light(
      before: ReadonlySet<string>,
      after: ReadonlySet<string>,
      lastBefore: string[],
      last: string[],
    ): void {
      const drawn = this.#drawn;
      const graph = this.#graph;
      if (!drawn || !graph) return;
      for (const id of before) if (!after.has(id)) this.#mark(drawn.states.get(id), false);
      for (const id of after) this.#mark(drawn.states.get(id), true);
      // A transition is drawn as its label line and its arrow (or as a line in its state's box).
      const drawnAs = (id: string): Element[] => [
        ...(drawn.lines.get(id) ?? []),
        ...(graph.edgesOfTransition.get(id) ?? []).flatMap((edge) => drawn.edges.get(edge) ?? []),
      ];
      for (const id of lastBefore) setLit(drawnAs(id), false);
      for (const id of last) setLit(drawnAs(id), true);
    }

    /** Scrolls the diagram (never the page) to a state the step entered, when it is out of view. */
    #follow(before: ReadonlySet<string>): void {
      // `follow` names the states worth scrolling to (id prefixes): a busy region (a call's candidate
      // batching) would otherwise pull the view away from the one a reader is watching.
      const follow = this.getAttribute('follow')?.split(/\s+/).filter(Boolean) ?? [];
      const entered = [...this.#active]
        .filter((id) => !before.has(id))
        .filter(
          (id) =>
            follow.length === 0 || follow.some((prefix) => id === prefix || id.startsWith(`${prefix}.`)),
        )
        .at(-1);
      const box = entered ? this.#boxes.get(entered) : undefined;
      const pane = this.#pane;
      if (!box || this.hasAttribute('no-follow')) return;
      const visible =
        box.x >= pane.scrollLeft &&
        box.y >= pane.scrollTop &&
        box.x + box.width <= pane.scrollLeft + pane.clientWidth &&
        box.y + box.height <= pane.scrollTop + pane.clientHeight;
      if (!visible) pane.scrollTo({ left: box.x - pane.clientWidth / 3, top: box.y - pane.clientHeight / 3 });
    }

    #mark(group: SVGGElement | undefined, active: boolean): void {
      if (!group) return;
      group.dataset.active = String(active);
      const name = group.getAttribute('aria-label')?.replace(/ \(active\)$/, '');
      if (name) group.setAttribute('aria-label', active ? `${name} (active)` : name);
    }
  };
}

/** Registers `<handset-statechart>` (or `tag`) once; later calls return the same class. */
export function defineStatechartElement(tag: string = STATECHART_TAG): CustomElementConstructor {
  const existing = customElements.get(tag);
  if (existing) return existing;
  defined ??= elementClass();
  // One class per tag: the registry refuses a constructor twice.
  const element = customElements.getName(defined) === null ? defined : class extends defined {};
  customElements.define(tag, element);
  return element;
}

/** The element's inspection observer, for code that prefers a function to a property. */
export function createStatechartInspector(element: HandsetStatechartElement): Observer<InspectionEvent> {
  return element.inspector;
}
