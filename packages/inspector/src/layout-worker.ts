// The Worker the element lays out in, so a big machine never blocks the page: it runs elkjs's bundled build
// (which would otherwise run on the main thread) and answers each graph with its layout or an error message.
import type { ElkNode } from 'elkjs/lib/elk-api.js';
import { loadElk } from './diagram-layout.js';

export interface LayoutRequest {
  id: number;
  graph: ElkNode;
}

export type LayoutReply = { id: number; graph: ElkNode } | { id: number; error: string };

const scope = globalThis as unknown as {
  addEventListener(type: 'message', listener: (event: MessageEvent<LayoutRequest>) => void): void;
  postMessage(reply: LayoutReply): void;
};

scope.addEventListener('message', (event) => {
  const { id, graph } = event.data;
  loadElk()
    .then((elk) => elk.layout(graph))
    .then(
      (laidOut) => scope.postMessage({ id, graph: laidOut }),
      (error: unknown) =>
        scope.postMessage({ id, error: error instanceof Error ? error.message : String(error) }),
    );
});
