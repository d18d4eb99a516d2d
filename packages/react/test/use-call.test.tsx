// useCall: the phone's current call as React state, read through useSyncExternalStore.
import { type CallView, createPhone, type Phone } from '@handset/core';
import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { useCall } from '../src/index.js';
import { reach, testNetwork } from './phones.js';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

let root: Root | null = null;
const phones: Phone[] = [];
afterEach(() => {
  act(() => root?.unmount());
  root = null;
  for (const phone of phones.splice(0)) phone.dispose();
  vi.restoreAllMocks();
});

function twoPhones() {
  const network = testNetwork();
  const alice = createPhone(network.optionsFor('alice'));
  const bob = createPhone(network.optionsFor('bob'));
  phones.push(alice, bob);
  return { alice, bob };
}

/** Records what `useCall(phone)` returned at each render (`tick` only forces a render). */
function Probe({ phone, renders }: { phone: Phone | null; renders: (CallView | null)[]; tick?: number }) {
  renders.push(useCall(phone));
  return null;
}

function renderCall(phone: Phone | null) {
  const renders: (CallView | null)[] = [];
  root = createRoot(document.createElement('div'));
  act(() => root!.render(<Probe phone={phone} renders={renders} />));
  return renders;
}

describe('useCall', () => {
  it('gives the current call on the first render, before any subscription', async () => {
    const { alice, bob } = twoPhones();
    const ringing = reach(bob, 'incoming');
    alice.makeCall('bob');
    await ringing;
    const renders = renderCall(bob);
    expect(renders[0]?.state).toBe('incoming');
    expect(renders[0]?.peerId).toBe('alice');
  });

  it('re-renders with each new state of the call, through to ended', async () => {
    const { alice, bob } = twoPhones();
    const renders = renderCall(alice);
    expect(renders.at(-1)?.state).toBe('idle');
    const incoming = reach(bob, 'incoming');
    await act(async () => {
      alice.makeCall('bob');
      await incoming;
    });
    expect(renders.at(-1)?.state).toBe('ringing');
    await act(async () => {
      bob.answerCall();
      await reach(alice, 'connected');
    });
    expect(renders.at(-1)?.state).toBe('connected');
    await act(async () => {
      alice.hangupCall();
      await reach(alice, 'ended');
    });
    expect(renders.at(-1)?.endReason).toEqual({ code: 'hangup', by: 'local' });
    const states = renders.map((view) => view?.state);
    expect(states).toEqual(expect.arrayContaining(['idle', 'ringing', 'connected', 'ended']));
  });

  it('returns the same view object until the call changes (a stable snapshot)', () => {
    const { alice } = twoPhones();
    const errors = vi.spyOn(console, 'error');
    const renders: (CallView | null)[] = [];
    root = createRoot(document.createElement('div'));
    for (const tick of [1, 2, 3])
      act(() => root!.render(<Probe phone={alice} renders={renders} tick={tick} />));
    expect(renders.length).toBeGreaterThanOrEqual(3);
    expect(new Set(renders).size).toBe(1);
    // React's own check: an uncached getSnapshot is reported and loops.
    expect(errors).not.toHaveBeenCalled();
  });

  it('shares one subscription to call$ among the components reading one phone, and ends it at unmount', () => {
    const { alice } = twoPhones();
    let subscriptions = 0;
    const call$ = alice.call$;
    const subscribe = call$.subscribe.bind(call$);
    // Counts live subscriptions (the store's; one-shot reads end at once and are not counted).
    vi.spyOn(call$, 'subscribe').mockImplementation(((...args: Parameters<typeof subscribe>) => {
      const subscription = subscribe(...args);
      if (subscription.closed) return subscription;
      subscriptions += 1;
      subscription.add(() => {
        subscriptions -= 1;
      });
      return subscription;
    }) as typeof call$.subscribe);
    const renders: (CallView | null)[] = [];
    root = createRoot(document.createElement('div'));
    act(() =>
      root!.render(
        <>
          <Probe phone={alice} renders={renders} />
          <Probe phone={alice} renders={renders} />
          <Probe phone={alice} renders={renders} />
        </>,
      ),
    );
    expect(subscriptions).toBe(1);
    act(() => root!.unmount());
    root = null;
    expect(subscriptions).toBe(0);
  });

  it('gives null without a phone, and the call once a phone arrives', () => {
    const { alice } = twoPhones();
    const renders: (CallView | null)[] = [];
    root = createRoot(document.createElement('div'));
    act(() => root!.render(<Probe phone={null} renders={renders} />));
    expect(renders.at(-1)).toBeNull();
    act(() => root!.render(<Probe phone={alice} renders={renders} />));
    expect(renders.at(-1)?.state).toBe('idle');
  });
});
