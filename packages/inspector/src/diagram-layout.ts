// Runs elkjs over the statechart graph and flattens its answer into absolute boxes and polylines.
// elkjs (its bundled build, no worker) is loaded on first use, so pages that never draw never fetch it.
import type { ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api.js';
import type { DiagramEdge, DiagramState, StatechartGraph } from './elk-graph.js';
import { InspectorError } from './inspector-error.js';
import type { LayoutReply, LayoutRequest } from './layout-worker.js';

export interface Point {
  x: number;
  y: number;
}

export interface Box extends Point {
  width: number;
  height: number;
}

export interface LaidOutState extends DiagramState {
  box: Box;
}

export interface LaidOutEdge extends DiagramEdge {
  /** From the source's border to the target's, bends included. */
  points: Point[];
  label: Box | null;
}

export interface DiagramLayout {
  width: number;
  height: number;
  /** Parents before children, so drawing in order puts children on top. */
  states: LaidOutState[];
  edges: LaidOutEdge[];
}

/** The one elkjs method the element uses. */
export interface ElkLayouter {
  layout(graph: ElkNode): Promise<ElkNode>;
}

let shared: Promise<ElkLayouter> | null = null;

/** elkjs's bundled build runs the layout in the page itself (a fake worker): nothing is fetched but the module. */
export function loadElk(): Promise<ElkLayouter> {
  shared ??= import('elkjs/lib/elk.bundled.js').then((module) => {
    // CommonJS seen through ESM: depending on the bundler the constructor is `default` or `default.default`.
    let exported: unknown = module;
    while (typeof exported === 'object' && exported !== null && 'default' in exported)
      exported = exported.default;
    const Elk = exported as new () => ElkLayouter;
    return new Elk();
  });
  return shared;
}

let worker: ElkLayouter | null | undefined;

/**
 * elkjs in a module Worker (`layout-worker.js` beside this module; bundlers that know
 * `new Worker(new URL(...), { type: 'module' })` — Vite, webpack — ship it), or null where there is none.
 * A worker that fails to load or dies rejects what it holds; the caller then lays out in the page.
 */
function layoutWorker(): ElkLayouter | null {
  if (worker !== undefined) return worker;
  worker = null;
  if (typeof Worker === 'undefined') return null;
  let thread: Worker;
  try {
    thread = new Worker(new URL('./layout-worker.js', import.meta.url), { type: 'module' });
  } catch {
    return null;
  }
  const pending = new Map<number, { resolve(graph: ElkNode): void; reject(error: Error): void }>();
  let next = 0;
  const fail = (error: Error) => {
    worker = null;
    thread.terminate();
    for (const request of pending.values()) request.reject(error);
    pending.clear();
  };
  thread.addEventListener('message', (event: MessageEvent<LayoutReply>) => {
    const request = pending.get(event.data.id);
    pending.delete(event.data.id);
    if ('error' in event.data) request?.reject(new Error(event.data.error));
    else request?.resolve(event.data.graph);
  });
  thread.addEventListener('error', () => fail(new Error('the layout worker could not run')));
  thread.addEventListener('messageerror', () =>
    fail(new Error('the layout worker sent an unreadable reply')),
  );
  worker = {
    layout: (graph) =>
      new Promise((resolve, reject) => {
        const id = next++;
        pending.set(id, { resolve, reject });
        thread.postMessage({ id, graph } satisfies LayoutRequest);
      }),
  };
  return worker;
}

/** The default layouter: the Worker when there is one, else (or when it fails) elkjs in the page. */
export const defaultLayouter: ElkLayouter = {
  async layout(graph) {
    const inWorker = layoutWorker();
    if (inWorker) {
      try {
        return await inWorker.layout(graph);
      } catch {
        // No worker file where the bundler put this module, or no module workers: lay out here instead.
      }
    }
    return (await loadElk()).layout(graph);
  },
};

function boxOf(node: ElkNode): Box {
  return { x: node.x ?? 0, y: node.y ?? 0, width: node.width ?? 0, height: node.height ?? 0 };
}

function pointsOf(edge: ElkExtendedEdge): Point[] {
  return (edge.sections ?? []).flatMap((section) => [
    section.startPoint,
    ...(section.bendPoints ?? []),
    section.endPoint,
  ]);
}

function collect(node: ElkNode, boxes: Map<string, Box>, edges: Map<string, ElkExtendedEdge>): void {
  boxes.set(node.id, boxOf(node));
  for (const edge of node.edges ?? []) edges.set(edge.id, edge);
  for (const child of node.children ?? []) collect(child, boxes, edges);
}

/**
 * Lays the graph out (coordinates relative to the diagram's top left) or rejects with `layout-failed`.
 * Without a layouter: in a Worker where the page can start one, else in the page.
 */
export async function layoutStatechart(graph: StatechartGraph, elk?: ElkLayouter): Promise<DiagramLayout> {
  let laidOut: ElkNode;
  try {
    const layouter = elk ?? defaultLayouter;
    const started = performance.now();
    // elkjs writes its answer into the graph it is given: hand it a copy so the graph can be laid out again.
    laidOut = await layouter.layout(structuredClone(graph.elk));
    // On the page's performance timeline (DevTools), since the bundled elkjs runs on the main thread.
    performance.measure?.('handset-statechart layout', { start: started, end: performance.now() });
  } catch (cause) {
    throw InspectorError.layoutFailed(cause);
  }
  const boxes = new Map<string, Box>();
  const edges = new Map<string, ElkExtendedEdge>();
  collect(laidOut, boxes, edges);
  return {
    width: laidOut.width ?? 0,
    height: laidOut.height ?? 0,
    states: graph.states.map((state) => ({ ...state, box: boxes.get(state.id) ?? boxOf({ id: state.id }) })),
    edges: graph.edges.map((edge) => {
      const placed = edges.get(edge.id);
      const label = placed?.labels?.[0];
      return {
        ...edge,
        points: placed ? pointsOf(placed) : [],
        label: label ? boxOf({ id: edge.id, ...label }) : null,
      };
    }),
  };
}
