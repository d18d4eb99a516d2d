/**
 * The call statechart drawn as a diagram (states as boxes, transitions as labelled arrows, laid out by
 * elkjs), lit from the phone's `inspect` option; works offline.
 * @module @handset/inspector
 */
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
  defaultLayouter,
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
export { INSPECTOR_ERROR_CODES, InspectorError, type InspectorErrorCode } from './inspector-error.js';
export { createStepReader, type StatechartStep } from './live-steps.js';
export {
  createStatechartInspector,
  defineStatechartElement,
  type HandsetStatechartElement,
  STATECHART_TAG,
  type StatechartChange,
} from './statechart-element.js';
