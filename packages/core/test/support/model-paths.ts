// The paths the model-based test drives: XState's test model (`TestModel` from @xstate/graph) walks the
// model, and each of its edges that takes a transition no earlier path took becomes one path (shortest path
// to the edge's source, then the edge), closed with a hang-up so every path also ends the call.
import { adjacencyMapToArray, type StatePath, TestModel } from '@xstate/graph';
import type { ActorLogic, AnyEventObject } from 'xstate';
import {
  type CallSnapshot,
  describeEvent,
  modelEvents,
  modelInput,
  modelMachine,
  modelStep,
  serializeState,
} from './call-model.js';

export type ModelPath = StatePath<CallSnapshot, AnyEventObject>;

export function createCallTestModel() {
  // `createTestModel` refuses machines with `invoke` or `after` ("not supported on test machines"): it
  // cannot run them. The `TestModel` it wraps can walk them, since promise outcomes and timers are just
  // events to the model; the real run (not the model) runs the actors and the clock.
  return new TestModel(modelMachine as unknown as ActorLogic<CallSnapshot, AnyEventObject, unknown>, {
    events: modelEvents,
    serializeState,
    serializeEvent: describeEvent,
    input: modelInput,
  });
}

export function transitionCoveringPaths(model: ReturnType<typeof createCallTestModel>): ModelPath[] {
  const shortest = new Map<string, ModelPath>();
  for (const path of model.getShortestPaths({ allowDuplicatePaths: true })) {
    shortest.set(serializeState(path.state), path);
  }
  const taken = new Set<string>();
  const paths: ModelPath[] = [];
  // Breadth-first order: edges near the start come first, so paths stay short.
  for (const { state, event } of adjacencyMapToArray(model.getAdjacencyMap())) {
    const step = modelStep(state, event);
    if (step.taken.every((key) => taken.has(key))) continue;
    for (const key of step.taken) taken.add(key);
    const head = shortest.get(serializeState(state));
    if (!head) throw new Error(`no shortest path to ${serializeState(state)}`);
    const steps = [...head.steps, { state: step.next, event }];
    if (step.next.status === 'active') {
      const hangup = { type: 'user.hangup' };
      steps.push({ state: modelStep(step.next, hangup).next, event: hangup });
    }
    paths.push({ state: steps[steps.length - 1]!.state, steps, weight: steps.length - 1 });
  }
  return paths;
}
