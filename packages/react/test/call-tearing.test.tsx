// No tearing: in a concurrent (transition) render that yields between components, a call that changes
// between two slices must not be committed half old, half new.
import { createPhone, type Phone } from '@handset/core';
import { startTransition, useLayoutEffect, useRef } from 'react';
import { createRoot } from 'react-dom/client';
import { afterAll, expect, it } from 'vitest';
import { useCall } from '../src/index.js';
import { testNetwork } from './phones.js';

// Without act, so that React's scheduler slices the render and yields between components as in a browser.
(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = false;

const phones: Phone[] = [];
afterAll(() => {
  for (const phone of phones) phone.dispose();
});

/** Longer than React's 5 ms slice, so the scheduler yields after each component. */
function renderSlowly(): void {
  const until = performance.now() + 8;
  while (performance.now() < until) {}
}

interface ScreenProps {
  show: boolean;
  phone: Phone;
  /** Called once, between the first component's slice and the next one's. */
  changeMidRender(): void;
  /** What the components show, read from the DOM at each commit. */
  commits: string[][];
}

let changed = false;

function CallState({
  index,
  phone,
  changeMidRender,
  commits,
}: Omit<ScreenProps, 'show'> & { index: number }) {
  const call = useCall(phone);
  // A microtask runs when React yields, so the call changes between this slice and the next.
  if (index === 0 && !changed) {
    changed = true;
    queueMicrotask(changeMidRender);
  }
  renderSlowly();
  const ref = useRef<HTMLSpanElement>(null);
  useLayoutEffect(() => {
    const container = ref.current?.parentElement;
    if (index !== 0 || !container) return;
    commits.push([...container.querySelectorAll('span')].map((span) => span.textContent ?? ''));
  });
  return <span ref={ref}>{call.state}</span>;
}

function Screen({ show, ...props }: ScreenProps) {
  if (!show) return null;
  return (
    <>
      {[0, 1, 2, 3, 4, 5].map((index) => (
        <CallState key={index} index={index} {...props} />
      ))}
    </>
  );
}

it('every component of one commit shows the same call, though the call changed mid-render', async () => {
  const network = testNetwork();
  const alice = createPhone(network.optionsFor('alice'));
  phones.push(alice, createPhone(network.optionsFor('bob')));
  const container = document.createElement('div');
  const commits: string[][] = [];
  const screen = (show: boolean) => (
    <Screen show={show} phone={alice} changeMidRender={() => alice.makeCall('bob')} commits={commits} />
  );

  const root = createRoot(container);
  root.render(screen(false));
  startTransition(() => root.render(screen(true)));
  await expect
    .poll(() => commits.at(-1), { timeout: 10_000 })
    .toEqual(Array.from({ length: 6 }, () => expect.not.stringMatching(/^idle$/)));
  expect(changed).toBe(true);
  for (const commit of commits) expect(new Set(commit).size).toBe(1);
  root.unmount();
});
