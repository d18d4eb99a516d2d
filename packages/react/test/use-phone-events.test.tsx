// usePhoneEvents: the phone's events reach the latest handler while the component is mounted.
import { createPhone, type Phone, type PhoneEvent } from '@handset/core';
import { act } from 'react';
import { createRoot } from 'react-dom/client';
import { afterEach, expect, it } from 'vitest';
import { usePhoneEvents } from '../src/index.js';
import { reach, testNetwork } from './phones.js';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const phones: Phone[] = [];
afterEach(() => {
  for (const phone of phones.splice(0)) phone.dispose();
});

/** Notes the call's start and end with its label: each render hands a new handler. */
function Listener({ phone, label, heard }: { phone: Phone; label: string; heard: string[] }) {
  usePhoneEvents(phone, (event: PhoneEvent) => {
    if (event.type === 'incoming-call' || event.type === 'call-ended') heard.push(`${label}:${event.type}`);
  });
  return null;
}

it('hands each event to the handler of the latest render, and none after unmount', async () => {
  const network = testNetwork();
  const alice = createPhone(network.optionsFor('alice'));
  const bob = createPhone(network.optionsFor('bob'));
  phones.push(alice, bob);
  const heard: string[] = [];
  const root = createRoot(document.createElement('div'));
  act(() => root.render(<Listener phone={bob} label="first" heard={heard} />));
  act(() => root.render(<Listener phone={bob} label="second" heard={heard} />));
  await act(async () => {
    alice.makeCall('bob');
    await reach(bob, 'incoming');
  });
  expect(heard).toEqual(['second:incoming-call']);
  act(() => root.unmount());
  alice.hangupCall();
  await reach(bob, 'ended');
  expect(heard).toEqual(['second:incoming-call']);
});
