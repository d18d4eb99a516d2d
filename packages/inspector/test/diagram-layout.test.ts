// The layout elkjs computes for the call machine (elkjs's bundled build, run in Node as in a page).
import { callMachine } from '@handset/core/machine';
import { beforeAll, describe, expect, test } from 'vitest';
import { chartOf } from '../src/chart-model.js';
import { type Box, type DiagramLayout, layoutStatechart } from '../src/diagram-layout.js';
import { elkGraphOf } from '../src/elk-graph.js';
import { InspectorError } from '../src/inspector-error.js';

function inside(inner: Box, outer: Box): boolean {
  return (
    inner.x >= outer.x - 0.5 &&
    inner.y >= outer.y - 0.5 &&
    inner.x + inner.width <= outer.x + outer.width + 0.5 &&
    inner.y + inner.height <= outer.y + outer.height + 0.5
  );
}

function overlap(a: Box, b: Box): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

describe('layoutStatechart(callMachine)', () => {
  let layout: DiagramLayout;
  beforeAll(async () => {
    layout = await layoutStatechart(elkGraphOf(chartOf(callMachine)));
  });

  test('gives every state a box inside its parent', () => {
    const boxes = new Map(layout.states.map((state) => [state.id, state.box]));
    for (const state of layout.states) {
      expect(state.box.width, state.id).toBeGreaterThan(0);
      if (state.parent) expect(inside(state.box, boxes.get(state.parent)!), state.id).toBe(true);
    }
    expect(inside(boxes.get('call')!, { x: 0, y: 0, width: layout.width, height: layout.height })).toBe(true);
  });

  test('no two sibling states overlap', () => {
    for (const a of layout.states) {
      for (const b of layout.states) {
        if (a.id < b.id && a.parent === b.parent)
          expect(overlap(a.box, b.box), `${a.id} / ${b.id}`).toBe(false);
      }
    }
  });

  test('routes every arrow from its source to its target, labels placed', () => {
    const boxes = new Map(layout.states.map((state) => [state.id, state.box]));
    const near = (p: { x: number; y: number }, box: Box) =>
      inside(
        { x: p.x, y: p.y, width: 0, height: 0 },
        { x: box.x - 2, y: box.y - 2, width: box.width + 4, height: box.height + 4 },
      );
    for (const edge of layout.edges) {
      expect(edge.points.length, edge.id).toBeGreaterThanOrEqual(2);
      expect(near(edge.points[0]!, boxes.get(edge.source)!), `${edge.id} starts at its source`).toBe(true);
      expect(near(edge.points.at(-1)!, boxes.get(edge.target)!), `${edge.id} ends at its target`).toBe(true);
      if (edge.lines.length > 0) expect(edge.label, edge.id).not.toBeNull();
    }
  });
});

describe('a layout that fails', () => {
  test('is a layout-failed InspectorError carrying the cause', async () => {
    const cause = new Error('worker gone');
    const error = await layoutStatechart(elkGraphOf(chartOf(callMachine)), {
      layout: () => Promise.reject(cause),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InspectorError);
    expect((error as InspectorError).code).toBe('layout-failed');
    expect((error as InspectorError).cause).toBe(cause);
  });

  test('elkjs refusing a broken graph is the same error', async () => {
    const graph = elkGraphOf(chartOf(callMachine));
    graph.elk.edges = [{ id: 'dangling', sources: ['nowhere'], targets: ['call'] }];
    const error = await layoutStatechart(graph).catch((e: unknown) => e);
    expect((error as InspectorError).code).toBe('layout-failed');
  });
});
