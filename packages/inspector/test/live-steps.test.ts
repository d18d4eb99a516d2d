// Inspection events into steps: which states are active and which transitions got them there, from real
// XState actors (and from a real phone over core's memory network).
import { createPhone } from '@handset/core';
import { callMachine } from '@handset/core/machine';
import { createFakeMedia, createFakePeerConnections, createMemoryNetwork } from '@handset/core/testing';
import { describe, expect, test } from 'vitest';
import { type AnyStateMachine, createActor, createMachine } from 'xstate';
import { chartOf } from '../src/chart-model.js';
import { createStepReader, type StatechartStep } from '../src/live-steps.js';

const lamp = createMachine({
  id: 'lamp',
  initial: 'off',
  states: {
    off: { on: { flip: 'warming', tick: {} } },
    warming: { always: 'on' },
    on: { on: { flip: 'off', again: { target: 'on', reenter: true } } },
  },
});

function record(machine: AnyStateMachine = lamp) {
  const steps: StatechartStep[] = [];
  const inspect = createStepReader(machine, chartOf(machine), (step) => steps.push(step));
  return { steps, inspect };
}

describe('createStepReader', () => {
  test('the initial state is the first step, with no transition', () => {
    const { steps, inspect } = record();
    createActor(lamp, { inspect }).start();
    expect(steps).toEqual([
      { activeIds: new Set(['lamp', 'lamp.off']), transitionIds: [], trigger: 'xstate.init', value: 'off' },
    ]);
  });

  test('a move names the event transition and the eventless ones after it', () => {
    const { steps, inspect } = record();
    const actor = createActor(lamp, { inspect }).start();
    actor.send({ type: 'flip' });
    expect(steps.at(-1)).toEqual({
      activeIds: new Set(['lamp', 'lamp.on']),
      transitionIds: ['lamp.off:0', 'lamp.warming:0'],
      trigger: 'flip',
      value: 'on',
    });
  });

  test('a transition that stays put is no step; one that re-enters its own state is', () => {
    const { steps, inspect } = record();
    const actor = createActor(lamp, { inspect }).start();
    actor.send({ type: 'tick' });
    expect(steps).toHaveLength(1);
    actor.send({ type: 'flip' });
    actor.send({ type: 'again' });
    expect(steps.at(-1)?.transitionIds).toEqual(['lamp.on:1']);
  });

  test('follows the actor that moved last; a new actor in its initial state does not take over', () => {
    const { steps, inspect } = record();
    const first = createActor(lamp, { inspect }).start();
    first.send({ type: 'flip' });
    const second = createActor(lamp, { inspect }).start();
    second.send({ type: 'tick' });
    expect(steps.at(-1)?.value).toBe('on');
    second.send({ type: 'flip' });
    first.send({ type: 'flip' });
    expect(steps.map((step) => step.value)).toEqual(['off', 'on', 'on', 'off']);
  });

  test('snapshots of other machines (invoked helpers) are not steps', () => {
    const other = createMachine({ id: 'other', initial: 'a', states: { a: { on: { go: 'b' } }, b: {} } });
    const { steps, inspect } = record();
    createActor(other, { inspect }).start().send({ type: 'go' });
    expect(steps).toEqual([]);
  });
});

describe('a phone call seen through the reader', () => {
  // The call machine grows regions (media, hold, screen...): its states are found by name, not by full id.
  const lit = (step: StatechartStep | undefined, pattern: RegExp) =>
    [...(step?.activeIds ?? [])].some((id) => pattern.test(id));

  test('lights ringing, then connected, naming the transitions taken', async () => {
    const { steps, inspect } = record(callMachine);
    const network = createMemoryNetwork();
    const make = (userId: string, withInspect: boolean) =>
      createPhone({
        userId,
        transport: network.connect(userId),
        peerConnectionFactory: createFakePeerConnections().factory,
        getUserMedia: createFakeMedia().getUserMedia,
        ...(withInspect ? { inspect } : {}),
      });
    const alice = make('alice', true);
    const bob = make('bob', false);
    try {
      expect(steps.map((step) => step.value)).toEqual(['idle']);
      alice.makeCall('bob');
      await expect.poll(() => lit(steps.at(-1), /\.outgoing\.ringing$/)).toBe(true);
      bob.answerCall();
      await expect.poll(() => lit(steps.at(-1), /\.connected$/)).toBe(true);
      expect(steps[1]?.trigger).toBe('user.call');
      expect(steps[1]?.transitionIds[0]).toMatch(/^call\.idle:\d+$/);
      expect(steps.map((step) => step.trigger)).toContain('remote.answer');
      alice.hangupCall();
      await expect.poll(() => steps.at(-1)?.value).toBe('ended');
    } finally {
      alice.dispose();
      bob.dispose();
    }
  });
});
