// Draws a laid-out statechart as SVG: states as rounded boxes (children inside, regions of a parallel
// state dashed), transitions as arrows with their labels. Looks come from the element's stylesheet.
import type { DiagramLayout, LaidOutEdge, LaidOutState, Point } from './diagram-layout.js';
import { DIAGRAM_METRICS } from './elk-graph.js';

const SVG_NS = 'http://www.w3.org/2000/svg';

export interface DrawnDiagram {
  svg: SVGSVGElement;
  /** The `<g>` of each state, by state id. */
  states: Map<string, SVGGElement>;
  /** The `<g>` of each arrow, by edge id. */
  edges: Map<string, SVGGElement>;
  /** Every text line that stands for a transition (on an arrow or in a box), by transition id. */
  lines: Map<string, SVGElement[]>;
}

function svg<K extends keyof SVGElementTagNameMap>(
  doc: Document,
  tag: K,
  attributes: Record<string, string | number>,
): SVGElementTagNameMap[K] {
  const node = doc.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  return node;
}

function text(doc: Document, content: string, attributes: Record<string, string | number>): SVGTextElement {
  const node = svg(doc, 'text', attributes);
  node.textContent = content;
  return node;
}

function pathOf(points: readonly Point[]): string {
  return points.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ');
}

function remember(lines: Map<string, SVGElement[]>, transition: string | null, node: SVGElement): void {
  if (!transition) return;
  node.dataset.transition = transition;
  lines.set(transition, [...(lines.get(transition) ?? []), node]);
}

function drawState(
  doc: Document,
  state: LaidOutState,
  parentType: string | undefined,
  lines: Map<string, SVGElement[]>,
): SVGGElement {
  const m = DIAGRAM_METRICS;
  const { x, y, width, height } = state.box;
  const group = svg(doc, 'g', { class: `state state-${state.type}` });
  group.dataset.stateId = state.id;
  group.dataset.stateType = state.type;
  group.dataset.active = 'false';
  if (state.type === 'initial') {
    group.setAttribute('aria-hidden', 'true');
    group.append(
      svg(doc, 'circle', { cx: x + width / 2, cy: y + height / 2, r: width / 2, class: 'initial-dot' }),
    );
    return group;
  }
  group.setAttribute('role', 'group');
  group.setAttribute('aria-label', `state ${state.name}`);
  if (parentType === 'parallel') group.classList.add('region');
  group.append(svg(doc, 'rect', { x, y, width, height, rx: 6, class: 'state-box' }));
  if (state.type === 'final') {
    group.append(
      svg(doc, 'rect', {
        x: x + 3,
        y: y + 3,
        width: width - 6,
        height: height - 6,
        rx: 4,
        class: 'final-ring',
      }),
    );
  }
  const baseline = (row: number) => y + m.padY + m.lineHeight * row + m.lineHeight * 0.75;
  group.append(text(doc, state.name, { x: x + m.padX, y: baseline(0), class: 'state-name' }));
  if (state.details.length > 0) {
    const ruleY = y + m.padY + m.lineHeight + 1;
    group.append(svg(doc, 'line', { x1: x, x2: x + width, y1: ruleY, y2: ruleY, class: 'state-rule' }));
  }
  state.details.forEach((line, row) => {
    const node = text(doc, line.text, { x: x + m.padX, y: baseline(row + 1) + 2, class: 'state-detail' });
    remember(lines, line.transition, node);
    group.append(node);
  });
  return group;
}

function drawEdge(doc: Document, edge: LaidOutEdge, lines: Map<string, SVGElement[]>): SVGGElement {
  const m = DIAGRAM_METRICS;
  const group = svg(doc, 'g', { class: edge.lines.length > 0 ? 'transition' : 'transition initial-arrow' });
  group.dataset.edgeId = edge.id;
  group.dataset.source = edge.source;
  group.dataset.target = edge.target;
  group.dataset.last = 'false';
  group.append(
    svg(doc, 'path', { d: pathOf(edge.points), class: 'arrow', 'marker-end': 'url(#handset-arrow)' }),
  );
  if (edge.label && edge.lines.length > 0) {
    const { x, y, width, height } = edge.label;
    group.append(svg(doc, 'rect', { x, y, width, height, rx: 3, class: 'label-box' }));
    const label = svg(doc, 'text', { class: 'label' });
    edge.lines.forEach((line, row) => {
      const span = svg(doc, 'tspan', { x: x + 2, y: y + m.lineHeight * row + m.lineHeight * 0.75 });
      span.textContent = line.text;
      remember(lines, line.transition, span);
      label.append(span);
    });
    group.append(label);
  }
  return group;
}

/** The whole diagram as one `<svg>`, titled for assistive technology. */
export function drawDiagram(layout: DiagramLayout, title: string, doc: Document): DrawnDiagram {
  const root = svg(doc, 'svg', {
    viewBox: `0 0 ${Math.ceil(layout.width)} ${Math.ceil(layout.height)}`,
    width: Math.ceil(layout.width),
    height: Math.ceil(layout.height),
    role: 'group',
    'aria-labelledby': 'handset-statechart-title',
    class: 'diagram',
  });
  const titleNode = svg(doc, 'title', { id: 'handset-statechart-title' });
  titleNode.textContent = title;
  root.append(titleNode);

  const defs = svg(doc, 'defs', {});
  const marker = svg(doc, 'marker', {
    id: 'handset-arrow',
    viewBox: '0 0 10 10',
    refX: 9,
    refY: 5,
    markerWidth: 7,
    markerHeight: 7,
    orient: 'auto-start-reverse',
  });
  marker.append(svg(doc, 'path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrow-head' }));
  defs.append(marker);
  root.append(defs);

  const states = new Map<string, SVGGElement>();
  const edges = new Map<string, SVGGElement>();
  const lines = new Map<string, SVGElement[]>();
  const types = new Map(layout.states.map((state) => [state.id, state.type]));
  const stateLayer = svg(doc, 'g', { class: 'states' });
  for (const state of layout.states) {
    const group = drawState(doc, state, state.parent ? types.get(state.parent) : undefined, lines);
    states.set(state.id, group);
    stateLayer.append(group);
  }
  const edgeLayer = svg(doc, 'g', { class: 'transitions' });
  for (const edge of layout.edges) {
    const group = drawEdge(doc, edge, lines);
    edges.set(edge.id, group);
    edgeLayer.append(group);
  }
  root.append(stateLayer, edgeLayer);
  return { svg: root, states, edges, lines };
}
