// The chart read off a machine: states, transitions named as `setup` names them, and which boxes a
// snapshot lights up.
import { callMachine } from '@handset/core/machine';
import { describe, expect, test } from 'vitest';
import {
  activeStateIds,
  activeStatesIn,
  type ChartState,
  chartOf,
  describeTrigger,
  describeValue,
} from '../src/chart-model.js';
import { doorMachine } from './fixtures/door-machine.js';

function find(state: ChartState, id: string): ChartState | undefined {
  if (state.id === id) return state;
  for (const child of state.children) {
    const found = find(child, id);
    if (found) return found;
  }
  return undefined;
}

function count(state: ChartState): number {
  return 1 + state.children.reduce((sum, child) => sum + count(child), 0);
}

describe('chartOf', () => {
  const chart = chartOf(doorMachine);

  test('starts at the machine root, children in their written order, with their types', () => {
    expect(chart.id).toBe('door');
    expect(chart.children.map((c) => c.key)).toEqual(['closed', 'moving', 'opened', 'locked', 'broken']);
    expect(find(chart, 'door.broken')?.type).toBe('final');
    expect(find(chart, 'door.opened')?.type).toBe('parallel');
    expect(find(chart, 'door.opened.light')?.type).toBe('compound');
  });

  test('marks the initial child of compound states only', () => {
    expect(find(chart, 'door.closed')?.initial).toBe(true);
    expect(find(chart, 'door.moving')?.initial).toBe(false);
    expect(find(chart, 'door.opened.light.on')?.initial).toBe(true);
    // Regions of a parallel state are all entered: none is "initial".
    expect(find(chart, 'door.opened.light')?.initial).toBe(false);
  });

  test('names transitions as setup names them: events, guards, delays, invoked actors', () => {
    expect(find(chart, 'door.closed')?.transitions).toContainEqual({
      trigger: 'open',
      guard: 'isUnlocked',
      targets: ['moving'],
      actions: [],
    });
    const moving = find(chart, 'door.moving')!;
    expect(moving.invokes).toEqual(['swing']);
    expect(moving.transitions.map((t) => t.trigger)).toEqual(['done swing', 'error swing']);
    expect(find(chart, 'door.opened')?.transitions.map((t) => t.trigger)).toContain('after autoClose');
  });

  test('shows what a transition that stays put does instead', () => {
    expect(chart.transitions).toEqual([
      { trigger: 'knock', guard: null, targets: [], actions: ['beep', 'count'] },
    ]);
  });

  test('a target with an id of its own is named by that id', () => {
    expect(find(chart, 'bolted')?.transitions[0]?.targets).toEqual(['bolted']);
  });

  test('reads the call machine whole, whatever regions it has grown', () => {
    const call = chartOf(callMachine);
    expect(call.id).toBe('call');
    expect(call.children.map((c) => c.key)).toEqual(expect.arrayContaining(['idle', 'active', 'ended']));
    expect(count(call)).toBeGreaterThan(20);
  });
});

describe('describeTrigger', () => {
  test('turns XState event names into words', () => {
    expect(describeTrigger('xstate.done.actor.0.door.moving', doorMachine)).toBe('done swing');
    expect(describeTrigger('xstate.after.autoClose.door.opened', doorMachine)).toBe('after autoClose');
    expect(describeTrigger('', doorMachine)).toBe('always');
    expect(describeTrigger('open', doorMachine)).toBe('open');
  });

  test('falls back to a generic name for an actor id that is no state node', () => {
    expect(describeTrigger('xstate.error.actor.3.somewhere.else', doorMachine)).toBe('error actor');
  });
});

describe('active states', () => {
  test('include every ancestor of the active leaf', () => {
    expect([...activeStateIds('door', { opened: { light: 'on' } })]).toEqual([
      'door',
      'door.opened',
      'door.opened.light',
      'door.opened.light.on',
    ]);
  });

  test('include both regions of a parallel state', () => {
    const ids = activeStatesIn(chartOf(doorMachine), { opened: { light: 'off', alarm: 'ringing' } });
    expect(ids.has('door.opened.light.off')).toBe(true);
    expect(ids.has('door.opened.alarm.ringing')).toBe(true);
  });

  test('are found through the chart when a state has an id of its own', () => {
    expect([...activeStatesIn(chartOf(doorMachine), 'locked')]).toEqual(['door', 'bolted']);
  });

  test('a value reads as one line, regions joined by |', () => {
    expect(describeValue({ opened: { light: 'off', alarm: 'ringing' } })).toBe(
      'opened.light.off | alarm.ringing',
    );
  });
});
