export {
  activeStateIds,
  activeStatesIn,
  type ChartState,
  type ChartTransition,
  chartOf,
  describeTrigger,
  describeValue,
} from './chart-model.js';
export {
  type Box,
  type DiagramLayout,
  type ElkLayouter,
  type LaidOutEdge,
  type LaidOutState,
  layoutStatechart,
  loadElk,
  type Point,
} from './diagram-layout.js';
export {
  DIAGRAM_METRICS,
  type DiagramEdge,
  type DiagramLine,
  type DiagramState,
  elkGraphOf,
  MONOSPACE_TEXT,
  type StatechartGraph,
  type TextWidth,
} from './elk-graph.js';
export { InspectorError, type InspectorErrorCode } from './inspector-error.js';
export { createStepReader, type StatechartStep } from './live-steps.js';
export {
  createStatechartInspector,
  defineStatechartElement,
  type HandsetStatechartElement,
  STATECHART_TAG,
  type StatechartChange,
} from './statechart-element.js';
