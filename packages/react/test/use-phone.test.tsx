// usePhone: one live phone per mounted component, made after mount and disposed at unmount, also under
// StrictMode's mount–unmount–mount.
import { createPhone, type Phone, type PhoneOptions } from '@handset/core';
import { act, StrictMode, useEffect } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, describe, expect, it } from 'vitest';
import { usePhone } from '../src/index.js';
import { reach, testNetwork } from './phones.js';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

let root: Root | null = null;
afterEach(() => {
  act(() => root?.unmount());
  root = null;
});

/** Records every phone it was rendered with, once committed. */
function Probe({ options, seen }: { options: PhoneOptions | null; seen: (Phone | null)[] }) {
  const phone = usePhone(options);
  useEffect(() => {
    seen.push(phone);
  }, [phone, seen]);
  return null;
}

/** Renders `usePhone(options)` and records every phone the component rendered with. */
function renderPhone(options: PhoneOptions | null, strict: boolean) {
  const seen: (Phone | null)[] = [];
  const element = (value: PhoneOptions | null) =>
    strict ? (
      <StrictMode>
        <Probe options={value} seen={seen} />
      </StrictMode>
    ) : (
      <Probe options={value} seen={seen} />
    );
  root = createRoot(document.createElement('div'));
  act(() => root!.render(element(options)));
  return { seen, rerender: (value: PhoneOptions | null) => act(() => root!.render(element(value))) };
}

const lastOf = <T,>(items: T[]) => items[items.length - 1];

/** A disposed phone refuses commands with `invalid-state` ('the phone was disposed'). */
function isDisposed(phone: Phone): boolean {
  try {
    phone.makeCall('someone-else');
  } catch (error) {
    return /disposed/.test(String(error));
  }
  phone.hangupCall();
  return false;
}

describe('usePhone', () => {
  it('makes a phone for the options after mount and disposes it at unmount', () => {
    const options = testNetwork().optionsFor('alice');
    const { seen } = renderPhone(options, false);
    const phone = lastOf(seen)!;
    expect(phone.userId).toBe('alice');
    expect(options.transport.listeners).toBe(1);
    act(() => root!.unmount());
    root = null;
    expect(options.transport.listeners).toBe(0);
    expect(isDisposed(phone)).toBe(true);
  });

  it('under StrictMode the phone in use is live and it is the only one listening', () => {
    const options = testNetwork().optionsFor('alice');
    const { seen } = renderPhone(options, true);
    const phone = lastOf(seen)!;
    expect(phone).not.toBeNull();
    expect(options.transport.listeners).toBe(1);
    expect(isDisposed(phone)).toBe(false);
  });

  it('under StrictMode unmounting leaves no phone listening', () => {
    const options = testNetwork().optionsFor('alice');
    renderPhone(options, true);
    act(() => root!.unmount());
    root = null;
    expect(options.transport.listeners).toBe(0);
  });

  it('the phone a StrictMode component ends up with answers a call', async () => {
    const network = testNetwork();
    const options = network.optionsFor('bob');
    const { seen } = renderPhone(options, true);
    const bob = lastOf(seen)!;
    const alice = createPhone(network.optionsFor('alice'));
    const ringing = reach(bob, 'incoming');
    alice.makeCall('bob');
    await ringing;
    bob.answerCall();
    expect((await reach(alice, 'connected')).peerId).toBe('bob');
    alice.dispose();
  });

  it('new options dispose the old phone and make a new one; null disposes it and gives null', () => {
    const network = testNetwork();
    const first = network.optionsFor('alice');
    const { seen, rerender } = renderPhone(first, true);
    const firstPhone = lastOf(seen)!;
    const second = network.optionsFor('carol');
    rerender(second);
    const secondPhone = lastOf(seen)!;
    expect(secondPhone.userId).toBe('carol');
    expect(isDisposed(firstPhone)).toBe(true);
    expect([first.transport.listeners, second.transport.listeners]).toEqual([0, 1]);
    rerender(null);
    expect(lastOf(seen)).toBeNull();
    expect(isDisposed(secondPhone)).toBe(true);
    expect(second.transport.listeners).toBe(0);
  });

  it('gives null while the options are null', () => {
    const { seen } = renderPhone(null, true);
    expect(seen.every((phone) => phone === null)).toBe(true);
  });

  it('a user id the protocol refuses is thrown as createPhone throws it: HandsetError invalid-argument', () => {
    const options = { ...testNetwork().optionsFor('alice'), userId: 'not an id' };
    root = createRoot(document.createElement('div'));
    let thrown: unknown;
    try {
      act(() => root!.render(<Probe options={options} seen={[]} />));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ name: 'HandsetError', code: 'invalid-argument' });
    expect(options.transport.listeners).toBe(0);
  });
});
