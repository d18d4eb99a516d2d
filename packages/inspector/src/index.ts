/**
 * The call statechart drawn as a diagram (states as boxes, transitions as labelled arrows, laid out by
 * elkjs), lit from the phone's `inspect` option; works offline.
 * @module @handset/inspector
 */
// The layouter's type is public: the element's `layouter` property takes one (README: custom layouter).
export type { ElkLayouter } from './diagram-layout.js';
export { INSPECTOR_ERROR_CODES, InspectorError, type InspectorErrorCode } from './inspector-error.js';
export {
  createStatechartInspector,
  defineStatechartElement,
  type HandsetStatechartElement,
  STATECHART_TAG,
  type StatechartChange,
} from './statechart-element.js';
