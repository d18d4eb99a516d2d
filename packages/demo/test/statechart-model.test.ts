// The statechart panel's model: what it reads off `callMachine`, and which boxes a snapshot lights up.
import { callMachine } from '@handset/core/machine';
import { describe, expect, test } from 'vitest';
import { activeStateIds, type ChartState, chartOf, describeTrigger } from '../src/statechart-model.js';

function find(state: ChartState, id: string): ChartState | undefined {
  if (state.id === id) return state;
  for (const child of state.children) {
    const found = find(child, id);
    if (found) return found;
  }
  return undefined;
}

describe('chartOf(callMachine)', () => {
  const chart = chartOf(callMachine);

  test('starts at the machine root with idle, active and ended', () => {
    expect(chart.id).toBe('call');
    expect(chart.children.map((c) => c.key)).toEqual(['idle', 'active', 'ended']);
    expect(find(chart, 'call.ended')?.type).toBe('final');
  });

  test('marks initial children and the parallel connected state', () => {
    expect(find(chart, 'call.idle')?.initial).toBe(true);
    expect(find(chart, 'call.active.acquiringMedia')?.initial).toBe(true);
    expect(find(chart, 'call.active.incoming')?.initial).toBe(false);
    expect(find(chart, 'call.active.connected')?.type).toBe('parallel');
    expect(find(chart, 'call.active.connected')?.children.map((c) => c.key)).toEqual(['ice', 'negotiation']);
  });

  test('names transitions as setup names them: events, guards, delays, invoked actors', () => {
    const outgoing = find(chart, 'call.active.outgoing')!;
    expect(outgoing.transitions).toContainEqual({
      trigger: 'remote.unavailable',
      guard: null,
      targets: ['ended'],
      actions: [],
    });
    expect(outgoing.transitions.map((t) => t.trigger)).toContain('after inviteTimeout');
    const media = find(chart, 'call.active.acquiringMedia')!;
    expect(media.invokes).toEqual(['acquireMedia']);
    expect(media.transitions).toContainEqual({
      trigger: 'error acquireMedia',
      guard: 'isPermissionDenied',
      targets: ['ended'],
      actions: [],
    });
  });

  test('shows what a transition that stays put does instead', () => {
    const active = find(chart, 'call.active')!;
    expect(active.transitions).toContainEqual({
      trigger: 'remote.invite',
      guard: 'isBusyReplyDue',
      targets: [],
      actions: ['replyBusy', 'noteBusyReply'],
    });
  });
});

describe('describeTrigger', () => {
  test('turns XState event names into words', () => {
    expect(describeTrigger('xstate.done.actor.0.call.active.connecting.applyingAnswer', callMachine)).toBe(
      'done applyRemoteAnswer',
    );
    expect(describeTrigger('xstate.after.inviteTimeout.call.active.outgoing', callMachine)).toBe(
      'after inviteTimeout',
    );
    expect(describeTrigger('user.call', callMachine)).toBe('user.call');
  });

  test('falls back to a generic name for an actor id that is no state node', () => {
    expect(describeTrigger('xstate.error.actor.3.somewhere.else', callMachine)).toBe('error actor');
  });
});

describe('activeStateIds', () => {
  test('includes every ancestor of the active leaf', () => {
    expect([...activeStateIds('call', { active: { outgoing: 'ringing' } })]).toEqual([
      'call',
      'call.active',
      'call.active.outgoing',
      'call.active.outgoing.ringing',
    ]);
  });

  test('includes both regions of a parallel state', () => {
    const ids = activeStateIds('call', { active: { connected: { ice: 'stable', negotiation: 'offering' } } });
    expect(ids.has('call.active.connected.ice.stable')).toBe(true);
    expect(ids.has('call.active.connected.negotiation.offering')).toBe(true);
  });

  test('a top-level atomic state', () => {
    expect([...activeStateIds('call', 'idle')]).toEqual(['call', 'call.idle']);
  });
});
