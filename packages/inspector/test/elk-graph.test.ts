// Graph extraction: the machine as the graph elkjs lays out. No layout runs here (see diagram-layout.test).
import { callMachine } from '@handset/core/machine';
import type { ElkNode } from 'elkjs/lib/elk-api.js';
import { describe, expect, test } from 'vitest';
import { type ChartState, chartOf } from '../src/chart-model.js';
import { DIAGRAM_METRICS, DIAGRAM_ROOT, elkGraphOf, MONOSPACE_TEXT } from '../src/elk-graph.js';
import { doorMachine } from './fixtures/door-machine.js';

function nodeById(node: ElkNode, id: string): ElkNode | undefined {
  if (node.id === id) return node;
  for (const child of node.children ?? []) {
    const found = nodeById(child, id);
    if (found) return found;
  }
  return undefined;
}

function childIds(node: ElkNode | undefined): string[] {
  return (node?.children ?? []).map((child) => child.id);
}

function edgeIds(node: ElkNode | undefined): string[] {
  return (node?.edges ?? []).map((edge) => edge.id);
}

function allStates(state: ChartState): ChartState[] {
  return [state, ...state.children.flatMap(allStates)];
}

describe('elkGraphOf(door)', () => {
  const graph = elkGraphOf(chartOf(doorMachine));

  test('nests every state inside its parent, the machine root alone under the diagram root', () => {
    expect(graph.elk.id).toBe(DIAGRAM_ROOT);
    expect(childIds(graph.elk)).toEqual(['door']);
    expect(childIds(nodeById(graph.elk, 'door'))).toEqual([
      'door#initial',
      'door.closed',
      'door.moving',
      'door.opened',
      'bolted',
      'door.broken',
    ]);
    expect(childIds(nodeById(graph.elk, 'door.opened.light'))).toEqual([
      'door.opened.light#initial',
      'door.opened.light.on',
      'door.opened.light.off',
    ]);
  });

  test('points an initial dot at the initial child; a parallel state has none (all regions start)', () => {
    expect(graph.edges.find((e) => e.source === 'door#initial')).toMatchObject({
      target: 'door.closed',
      lines: [],
    });
    expect(childIds(nodeById(graph.elk, 'door.opened')).some((id) => id.endsWith('#initial'))).toBe(false);
  });

  test('draws one labelled arrow per pair of states, a line for each transition between them', () => {
    const toClosed = graph.edges.find((e) => e.id === 'door.opened->door.closed')!;
    expect(toClosed.lines.map((line) => line.text)).toEqual(['close', 'after autoClose']);
    expect(graph.edges.find((e) => e.id === 'door.closed->door.moving')?.lines.map((l) => l.text)).toEqual([
      'open [isUnlocked]',
    ]);
    const label = nodeById(graph.elk, 'door')!.edges!.find((e) => e.id === toClosed.id)!.labels![0]!;
    expect(label.text).toBe('close\nafter autoClose');
    expect(label.height).toBe(2 * DIAGRAM_METRICS.lineHeight);
    expect(label.width).toBeGreaterThanOrEqual(MONOSPACE_TEXT('after autoClose', 'detail'));
  });

  test('writes a transition that stays put, and invoked actors, inside the state box', () => {
    const root = graph.states.find((s) => s.id === 'door')!;
    expect(root.details).toEqual([{ text: 'knock / beep, count', transition: 'door:0' }]);
    expect(graph.edges.some((e) => e.source === 'door' && e.target === 'door')).toBe(false);
    expect(graph.states.find((s) => s.id === 'door.moving')?.details[0]).toEqual({
      text: 'invoke swing',
      transition: null,
    });
  });

  test('puts each edge in the nearest state holding both ends, as elkjs requires', () => {
    const container = (id: string) => graph.edges.find((e) => e.id === id)?.container;
    expect(container('door.closed->door.moving')).toBe('door');
    expect(container('door.opened.light#initial->door.opened.light.on')).toBe('door.opened.light');
    // A transition back into itself loops in its parent.
    expect(container('bolted->bolted')).toBe('door');
    expect(edgeIds(nodeById(graph.elk, 'door'))).toContain('bolted->bolted');
    expect(edgeIds(nodeById(graph.elk, 'door.opened.light'))).toEqual([
      'door.opened.light#initial->door.opened.light.on',
    ]);
  });

  test('names the edges of each transition, so the last one taken can be lit', () => {
    expect(graph.edgesOfTransition.get('door.closed:0')).toEqual(['door.closed->door.moving']);
    expect(graph.edgesOfTransition.get('door.opened:0')).toEqual(['door.opened->door.closed']);
    expect(graph.edgesOfTransition.has('door:0')).toBe(false);
  });

  test('sizes a box to its text and a compound state around its header', () => {
    const m = DIAGRAM_METRICS;
    const closed = nodeById(graph.elk, 'door.closed')!;
    expect(closed.width).toBe(Math.max(m.minStateWidth, MONOSPACE_TEXT('closed', 'name') + 2 * m.padX));
    expect(nodeById(graph.elk, 'door.moving')!.height).toBe(2 * m.padY + 2 * m.lineHeight);
    const top = 2 * m.padY + 2 * m.lineHeight + 4;
    expect(nodeById(graph.elk, 'door')!.layoutOptions!['elk.padding']).toBe(
      `[top=${top},left=${m.childPadding},bottom=${m.childPadding},right=${m.childPadding}]`,
    );
    expect(graph.elk.layoutOptions!['elk.hierarchyHandling']).toBe('INCLUDE_CHILDREN');
  });

  test('takes a text measure, so boxes fit the font the page draws with', () => {
    const wide = elkGraphOf(chartOf(doorMachine), (text) => text.length * 20);
    expect(nodeById(wide.elk, 'door.closed')!.width).toBe('closed'.length * 20 + 2 * DIAGRAM_METRICS.padX);
  });
});

describe('elkGraphOf(callMachine), whatever regions it has grown', () => {
  const chart = chartOf(callMachine);
  const graph = elkGraphOf(chart);

  test('has a node for every state, under its parent', () => {
    for (const state of allStates(chart)) {
      for (const child of state.children)
        expect(childIds(nodeById(graph.elk, state.id)), state.id).toContain(child.id);
    }
  });

  test('has an arrow for every transition with a target, in the right container', () => {
    const containers = new Map<string, string>();
    const walk = (node: ElkNode) => {
      for (const edge of node.edges ?? []) containers.set(edge.id, node.id);
      for (const child of node.children ?? []) walk(child);
    };
    walk(graph.elk);
    for (const state of allStates(chart)) {
      state.transitions.forEach((transition, index) => {
        const edges = graph.edgesOfTransition.get(`${state.id}:${index}`) ?? [];
        expect(edges, `${state.id} ${transition.trigger}`).toHaveLength(transition.targets.length);
        for (const edge of edges) {
          const container = graph.edges.find((e) => e.id === edge)!.container;
          expect(containers.get(edge)).toBe(container);
          expect(edge.startsWith(`${state.id}->`)).toBe(true);
        }
      });
    }
  });
});
