// The statechart model now lives in @handset/inspector; kept here so the demo's model tests read it by the old path.
export {
  activeStateIds,
  type ChartState,
  type ChartTransition,
  chartOf,
  describeTrigger,
} from '@handset/inspector';
