// Turns the chart tree into the graph elkjs lays out: every state a node (compound and parallel states hold
// their children), every transition with a target an edge labelled with its trigger and guard.
import type { ElkExtendedEdge, ElkNode, LayoutOptions } from 'elkjs/lib/elk-api.js';
import { type ChartState, transitionId } from './chart-model.js';

/** How wide a line of text is drawn; the element measures with the browser, tests with `MONOSPACE_TEXT`. */
export type TextWidth = (text: string, style: 'name' | 'detail') => number;

/** The sizes the diagram is drawn at; the SVG renderer reads the same table. */
export const DIAGRAM_METRICS = {
  nameFontSize: 12,
  detailFontSize: 11,
  lineHeight: 15,
  padX: 8,
  padY: 5,
  childPadding: 12,
  initialSize: 10,
  minStateWidth: 48,
} as const;

/** Width of monospace text: 0.6 em per character is what common monospace faces draw. */
export const MONOSPACE_TEXT: TextWidth = (text, style) =>
  Math.ceil(
    text.length * 0.6 * (style === 'name' ? DIAGRAM_METRICS.nameFontSize : DIAGRAM_METRICS.detailFontSize),
  );

/** One line of text in a state box or on an arrow, and the transition it stands for (to light it). */
export interface DiagramLine {
  text: string;
  transition: string | null;
}

export interface DiagramState {
  id: string;
  /** `initial` is the dot that points at a compound state's initial child. */
  type: ChartState['type'] | 'initial';
  name: string;
  parent: string | null;
  depth: number;
  /** Under the name: invoked actors, then transitions that stay put (`trigger [guard] / actions`). */
  details: DiagramLine[];
}

export interface DiagramEdge {
  id: string;
  source: string;
  target: string;
  /** The state whose coordinate space elkjs routes the edge in (the nearest common ancestor). */
  container: string;
  /** One line per transition between the same two states; none for an initial arrow. */
  lines: DiagramLine[];
}

export interface StatechartGraph {
  elk: ElkNode;
  /** Every state, parents before children. */
  states: DiagramState[];
  edges: DiagramEdge[];
  /** Which edges draw a transition (`stateId:index`), to light the last one taken. */
  edgesOfTransition: Map<string, string[]>;
}

/** The id of the diagram's own root: the machine's root state is its only child, drawn as a box. */
export const DIAGRAM_ROOT = 'handset-statechart-root';

const LAYOUT: LayoutOptions = {
  'elk.algorithm': 'layered',
  'elk.direction': 'RIGHT',
  'elk.edgeRouting': 'ORTHOGONAL',
  'elk.spacing.nodeNode': '24',
  'elk.layered.spacing.nodeNodeBetweenLayers': '30',
  'elk.spacing.edgeNode': '14',
  'elk.spacing.edgeEdge': '10',
  'elk.layered.spacing.edgeNodeBetweenLayers': '14',
  'elk.spacing.edgeLabel': '3',
  // A statechart's hundred-odd edges take seconds with the default thoroughness and greedy switching;
  // these settings lay the call machine out several times faster with hardly a different picture.
  'elk.layered.thoroughness': '1',
  'elk.layered.crossingMinimization.greedySwitch.type': 'OFF',
  'elk.layered.crossingMinimization.greedySwitchHierarchical.type': 'OFF',
};

function transitionText(trigger: string, guard: string | null): string {
  return guard ? `${trigger} [${guard}]` : trigger;
}

/** `active.outgoing` (relative to the machine) or a state's own `#id`: the state node id it names. */
function resolveTarget(target: string, rootId: string, ids: ReadonlySet<string>): string {
  const nested = `${rootId}.${target}`;
  return ids.has(nested) ? nested : target;
}

function ancestry(id: string, parents: ReadonlyMap<string, string | null>): string[] {
  const chain: string[] = [];
  for (let at: string | null | undefined = id; at; at = parents.get(at)) chain.push(at);
  return chain;
}

/** Where elkjs wants an edge: a self loop in the state's parent, an edge into a descendant in its source. */
function containerOf(source: string, target: string, parents: ReadonlyMap<string, string | null>): string {
  if (source === target) return parents.get(source) ?? DIAGRAM_ROOT;
  const fromTarget = ancestry(target, parents);
  if (fromTarget.includes(source)) return source;
  const fromSource = ancestry(source, parents);
  if (fromSource.includes(target)) return target;
  return fromSource.find((id) => id !== source && fromTarget.includes(id)) ?? DIAGRAM_ROOT;
}

function flatten(
  chart: ChartState,
  parent: string | null,
  depth: number,
  into: [ChartState, string | null, number][],
) {
  into.push([chart, parent, depth]);
  for (const child of chart.children) flatten(child, chart.id, depth + 1, into);
}

/** The chart as an elkjs graph, plus what the renderer needs to draw and light it. */
export function elkGraphOf(chart: ChartState, measure: TextWidth = MONOSPACE_TEXT): StatechartGraph {
  const m = DIAGRAM_METRICS;
  const all: [ChartState, string | null, number][] = [];
  flatten(chart, null, 0, all);
  const ids = new Set(all.map(([state]) => state.id));
  const parents = new Map(all.map(([state, parent]) => [state.id, parent] as const));

  const states: DiagramState[] = [];
  const grouped = new Map<string, DiagramEdge>();
  const edgesOfTransition = new Map<string, string[]>();
  const nodes = new Map<string, ElkNode>();
  const root: ElkNode = {
    id: DIAGRAM_ROOT,
    layoutOptions: {
      ...LAYOUT,
      'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
      'elk.json.shapeCoords': 'ROOT',
      'elk.json.edgeCoords': 'ROOT',
      'elk.padding': '[top=8,left=8,bottom=8,right=8]',
    },
    children: [],
    edges: [],
  };
  nodes.set(DIAGRAM_ROOT, root);

  const addEdge = (source: string, target: string, line: DiagramLine | null) => {
    const id = `${source}->${target}`;
    let edge = grouped.get(id);
    if (!edge) {
      edge = { id, source, target, container: containerOf(source, target, parents), lines: [] };
      grouped.set(id, edge);
    }
    if (line) {
      edge.lines.push(line);
      if (line.transition)
        edgesOfTransition.set(line.transition, [...(edgesOfTransition.get(line.transition) ?? []), id]);
    }
  };

  for (const [state, parent, depth] of all) {
    const details: DiagramLine[] = state.invokes.map((src) => ({ text: `invoke ${src}`, transition: null }));
    state.transitions.forEach((transition, index) => {
      const line = {
        text: transitionText(transition.trigger, transition.guard),
        transition: transitionId(state.id, index),
      };
      if (transition.targets.length === 0) {
        const actions = transition.actions.length > 0 ? ` / ${transition.actions.join(', ')}` : '';
        details.push({ text: `${line.text}${actions}`, transition: line.transition });
        return;
      }
      for (const target of transition.targets) addEdge(state.id, resolveTarget(target, chart.id, ids), line);
    });
    states.push({ id: state.id, type: state.type, name: state.key, parent, depth, details });

    const textWidth = Math.max(
      measure(state.key, 'name'),
      ...details.map((line) => measure(line.text, 'detail')),
    );
    const width = Math.max(m.minStateWidth, textWidth + 2 * m.padX);
    const header = m.padY * 2 + m.lineHeight * (1 + details.length);
    const node: ElkNode = { id: state.id };
    if (state.children.length === 0) {
      node.width = width;
      node.height = header;
    } else {
      node.children = [];
      node.edges = [];
      node.layoutOptions = {
        ...LAYOUT,
        'elk.padding': `[top=${header + 4},left=${m.childPadding},bottom=${m.childPadding},right=${m.childPadding}]`,
        'elk.nodeSize.constraints': 'MINIMUM_SIZE',
        'elk.nodeSize.minimum': `(${width}, ${header + m.childPadding})`,
      };
      const initial = state.type === 'compound' ? state.children.find((child) => child.initial) : undefined;
      if (initial) {
        const dot = `${state.id}#initial`;
        node.children.push({ id: dot, width: m.initialSize, height: m.initialSize });
        states.push({ id: dot, type: 'initial', name: '', parent: state.id, depth: depth + 1, details: [] });
        parents.set(dot, state.id);
        addEdge(dot, initial.id, null);
      }
    }
    nodes.set(state.id, node);
    nodes.get(parent ?? DIAGRAM_ROOT)!.children!.push(node);
  }

  // Parents come before children in `states`, so the order above already nests; edges go in their container.
  for (const edge of grouped.values()) {
    const elkEdge: ElkExtendedEdge = { id: edge.id, sources: [edge.source], targets: [edge.target] };
    if (edge.lines.length > 0) {
      elkEdge.labels = [
        {
          id: `${edge.id}#label`,
          // At the arrow's head: labels then spread over the layers instead of piling up before a common target.
          layoutOptions: { 'elk.edgeLabels.placement': 'HEAD' },
          text: edge.lines.map((line) => line.text).join('\n'),
          width: Math.max(...edge.lines.map((line) => measure(line.text, 'detail'))) + 4,
          height: edge.lines.length * m.lineHeight,
        },
      ];
    }
    nodes.get(edge.container)!.edges!.push(elkEdge);
  }

  return { elk: root, states, edges: [...grouped.values()], edgesOfTransition };
}
