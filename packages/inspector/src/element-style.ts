// The element's stylesheet (inside its shadow root). Colours are custom properties so a page can theme it:
// --handset-statechart-active, --handset-statechart-last, --handset-statechart-ink, --handset-statechart-paper.

export const STATECHART_STYLE = `
:host {
  --ink: var(--handset-statechart-ink, #1f2933);
  --paper: var(--handset-statechart-paper, #ffffff);
  --muted: var(--handset-statechart-muted, #66788a);
  --active: var(--handset-statechart-active, #0b7a55);
  --active-fill: var(--handset-statechart-active-fill, #e3f6ee);
  --last: var(--handset-statechart-last, #d9480f);
  display: flex;
  gap: 1rem;
  align-items: flex-start;
  color: var(--ink);
  font: 12px/1.4 ui-monospace, 'DejaVu Sans Mono', Menlo, Consolas, monospace;
}
.pane {
  flex: 1 1 auto;
  min-width: 0;
  max-height: var(--handset-statechart-max-height, 70vh);
  overflow: auto;
  border: 1px solid #d5dde5;
  border-radius: 6px;
  background: var(--paper);
}
.pane[data-diagram='laying-out']::before { content: 'Laying out the statechart…'; display: block; padding: 1rem; color: var(--muted); }
.pane .failure { padding: 1rem; color: var(--last); }
:host([fit]) svg.diagram { width: 100%; height: auto; }
svg.diagram { display: block; font: inherit; }
.state-box { fill: var(--paper); stroke: #8a9aab; stroke-width: 1; }
.region > .state-box { stroke-dasharray: 5 4; fill: none; }
.final-ring { fill: none; stroke: #8a9aab; }
.state-name { font-size: 12px; font-weight: 700; fill: var(--ink); }
.state-detail { font-size: 11px; fill: var(--muted); }
.state-rule { stroke: #d5dde5; }
.initial-dot { fill: var(--ink); }
.state[data-active='true'] > .state-box { stroke: var(--active); stroke-width: 2; }
/* Only the innermost active states are filled, so the eye lands on them and not on their ancestors. */
.state-atomic[data-active='true'] > .state-box,
.state-final[data-active='true'] > .state-box { fill: var(--active-fill); }
.state[data-active='true'] > .state-name { fill: var(--active); }
.arrow { fill: none; stroke: #7b8794; stroke-width: 1.2; }
.arrow-head { fill: #7b8794; }
.label-box { fill: var(--paper); opacity: 0.85; }
.label { font-size: 11px; fill: var(--ink); }
.transition[data-last='true'] .arrow { stroke: var(--last); stroke-width: 2.5; }
.transition[data-last='true'] .label { fill: var(--last); }
[data-transition][data-last='true'] { fill: var(--last); font-weight: 700; }
.log {
  flex: 0 0 18em;
  margin: 0;
  padding: 0 0 0 2.2em;
  max-height: var(--handset-statechart-max-height, 70vh);
  overflow: auto;
}
.log[hidden] { display: none; }
.log li { margin: 0 0 0.3em; }
.log .trigger { font-weight: 700; }
.log .target { color: var(--muted); margin-left: 0.5em; }
`;
