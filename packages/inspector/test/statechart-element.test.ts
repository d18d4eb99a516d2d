// <handset-statechart> in Chromium: a page built with esbuild mounts the element and runs two phones on
// core's memory network; the element draws the call machine and follows Alice's call. Nothing leaves
// 127.0.0.1 (the page server) — the element works offline.
import { callMachine } from '@handset/core/machine';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type ChartState, chartOf } from '../src/chart-model.js';
import { type PageServer, startPageServer } from './page-server.js';

const DRAW_MS = 60_000;
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

function allStates(state: ChartState): ChartState[] {
  return [state, ...state.children.flatMap(allStates)];
}

interface StateBox {
  id: string;
  parent: string | null;
  active: string | null;
  x: number;
  y: number;
  width: number;
  height: number;
}

let server: PageServer;
let browser: Browser;
let page: Page;
const requested: string[] = [];

beforeAll(async () => {
  server = await startPageServer();
  browser = await chromium.launch({
    executablePath: process.env.CHROME_PATH || '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
  });
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on('request', (request) => requested.push(request.url()));
  await page.goto(server.url);
  await page.locator('handset-statechart[data-diagram="drawn"]').waitFor({ timeout: DRAW_MS });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** Every state box as the browser drew it (screen coordinates), with its parent state. */
function stateBoxes(): Promise<StateBox[]> {
  return page.evaluate(() => {
    const root = document.querySelector('handset-statechart')!.shadowRoot!;
    return [...root.querySelectorAll<SVGGElement>('g.state:not(.state-initial)')].map((group) => {
      const rect = group.querySelector('rect')!.getBoundingClientRect();
      const id = group.dataset.stateId!;
      const parent = [...root.querySelectorAll<SVGGElement>('g.state')]
        .map((g) => g.dataset.stateId!)
        .filter((other) => id.startsWith(`${other}.`))
        .sort((a, b) => b.length - a.length)[0];
      return {
        id,
        parent: parent ?? null,
        active: group.getAttribute('data-active'),
        x: rect.x,
        y: rect.y,
        width: rect.width,
        height: rect.height,
      };
    });
  });
}

function activeStates(): Promise<string[]> {
  return page.evaluate(() =>
    [
      ...document
        .querySelector('handset-statechart')!
        .shadowRoot!.querySelectorAll<SVGGElement>('g.state[data-active="true"]'),
    ].map((group) => group.dataset.stateId!),
  );
}

function lastTransitions(): Promise<string[]> {
  return page.evaluate(() =>
    [
      ...document
        .querySelector('handset-statechart')!
        .shadowRoot!.querySelectorAll<SVGGElement>('g.transition[data-last="true"]'),
    ].map((group) => group.dataset.edgeId!),
  );
}

function logLength(): Promise<number> {
  return page.evaluate(
    () => document.querySelector('handset-statechart')!.shadowRoot!.querySelectorAll('ol.log > li').length,
  );
}

describe('<handset-statechart> drawing the call machine', () => {
  test('is an SVG with a title, the log a list beside it', async () => {
    const shape = await page.evaluate(() => {
      const root = document.querySelector('handset-statechart')!.shadowRoot!;
      const svg = root.querySelector('svg')!;
      const log = root.querySelector('ol.log')!;
      return {
        title: svg.querySelector(':scope > title')?.textContent,
        labelledBy: svg.getAttribute('aria-labelledby'),
        titleId: svg.querySelector(':scope > title')?.id,
        logBesideDiagram:
          log.getBoundingClientRect().left >= root.querySelector('.pane')!.getBoundingClientRect().right,
      };
    });
    expect(shape.title).toBe('Statechart of call');
    expect(shape.labelledBy).toBe(shape.titleId);
    expect(shape.logBesideDiagram).toBe(true);
  });

  test('draws every state as a box inside its parent, siblings without overlap', async () => {
    const boxes = await stateBoxes();
    expect(boxes.map((box) => box.id).sort()).toEqual(
      allStates(chartOf(callMachine))
        .map((state) => state.id)
        .sort(),
    );
    const byId = new Map(boxes.map((box) => [box.id, box]));
    for (const box of boxes) {
      expect(box.width * box.height, box.id).toBeGreaterThan(0);
      if (!box.parent) continue;
      const parent = byId.get(box.parent)!;
      const inside =
        box.x >= parent.x - 1 &&
        box.y >= parent.y - 1 &&
        box.x + box.width <= parent.x + parent.width + 1 &&
        box.y + box.height <= parent.y + parent.height + 1;
      expect(inside, `${box.id} inside ${box.parent}`).toBe(true);
    }
    for (const a of boxes) {
      for (const b of boxes) {
        if (a.id >= b.id || a.parent !== b.parent) continue;
        const apart =
          a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y;
        expect(apart, `${a.id} and ${b.id} overlap`).toBe(true);
      }
    }
  });

  test('draws transitions as labelled arrows', async () => {
    const arrows = await page.evaluate(() =>
      [
        ...document
          .querySelector('handset-statechart')!
          .shadowRoot!.querySelectorAll('g.transition:not(.initial-arrow)'),
      ].map((group) => ({
        path: group.querySelector('path')!.getAttribute('d'),
        marker: group.querySelector('path')!.getAttribute('marker-end'),
        label: [...group.querySelectorAll('tspan')].map((span) => span.textContent),
        target: group.getAttribute('data-target'),
      })),
    );
    expect(arrows.length).toBeGreaterThan(20);
    for (const arrow of arrows) {
      expect(arrow.path).toMatch(/^M[\d.]+,[\d.]+( L[\d.]+,[\d.]+)+$/);
      expect(arrow.marker).toBe('url(#handset-arrow)');
      expect(arrow.label.length).toBeGreaterThan(0);
    }
    expect(arrows.filter((arrow) => arrow.target === 'call.ended').flatMap((arrow) => arrow.label)).toContain(
      'user.hangup',
    );
  });

  test('lights the active state, then the next, with the transition taken, as the log grows', async () => {
    // The call machine grows regions (media, hold, screen...): its states are found by name, not by full id.
    const lit = async (pattern: RegExp) => (await activeStates()).some((id) => pattern.test(id));
    // The phone starts its first call actor at once: idle is lit before any call.
    expect(await activeStates()).toEqual(['call', 'call.idle']);
    // Every step as the element announced it: the call's regions move on their own (a candidate batch
    // starts and ends), so the step into ringing is looked up here rather than read off the diagram later.
    await page.evaluate(() => {
      const changes: { activeStateIds: string[]; transitionIds: string[] }[] = [];
      Object.assign(window, { changes });
      document
        .querySelector('handset-statechart')!
        .addEventListener('statechart-change', (event) => changes.push((event as CustomEvent).detail));
    });
    await page.evaluate(() =>
      (window as unknown as { harness: { alice: { makeCall(id: string): void } } }).harness.alice.makeCall(
        'bob',
      ),
    );
    await expect.poll(() => lit(/\.outgoing\.ringing$/), { timeout: 10_000 }).toBe(true);
    const ringingLog = await logLength();
    expect(ringingLog).toBeGreaterThanOrEqual(3);
    // The diagram scrolled (inside its pane) to the state the call entered.
    const inView = await page.evaluate(() => {
      const root = document.querySelector('handset-statechart')!.shadowRoot!;
      const pane = root.querySelector('.pane')!.getBoundingClientRect();
      const ringing = [...root.querySelectorAll<SVGGElement>('g.state[data-active="true"]')]
        .find((group) => group.dataset.stateId!.endsWith('.outgoing.ringing'))!
        .querySelector('rect')!
        .getBoundingClientRect();
      return (
        ringing.left >= pane.left &&
        ringing.right <= pane.right &&
        ringing.top >= pane.top &&
        ringing.bottom <= pane.bottom
      );
    });
    expect(inView).toBe(true);
    const intoRinging = await page.evaluate(
      () =>
        (
          window as unknown as { changes: { activeStateIds: string[]; transitionIds: string[] }[] }
        ).changes.find((change) => change.activeStateIds.some((id) => id.endsWith('.outgoing.ringing')))
          ?.transitionIds,
    );
    expect(intoRinging).toHaveLength(1);
    // The transition taken (its id: source state and index): inviting's `remote.ringing`.
    expect(intoRinging?.[0]).toMatch(/\.outgoing\.dialing\.inviting:\d+$/);
    // The diagram lights one arrow at a time: the last step's.
    expect(await lastTransitions()).toHaveLength(1);

    await page.evaluate(() =>
      (window as unknown as { harness: { bob: { answerCall(): void } } }).harness.bob.answerCall(),
    );
    await expect.poll(() => lit(/\.connected$/), { timeout: 10_000 }).toBe(true);
    expect(await lit(/\.ringing$/)).toBe(false);
    expect(await logLength()).toBeGreaterThan(ringingLog);
    const active = await activeStates();
    const litTargets = (await lastTransitions()).map((edge) => edge.split('->')[1]!);
    expect(litTargets.some((target) => active.includes(target))).toBe(true);
    const host = await page.locator('handset-statechart').getAttribute('data-active-states');
    expect(host?.split(' ').sort()).toEqual([...active].sort());

    await page.evaluate(() =>
      (window as unknown as { harness: { alice: { hangupCall(): void } } }).harness.alice.hangupCall(),
    );
    await expect.poll(activeStates, { timeout: 10_000 }).toEqual(['call', 'call.ended']);
    expect(await page.locator('handset-statechart >> ol.log > li').first().textContent()).toContain(
      '→ ended',
    );
  });

  test('laid the diagram out in a Worker: the page thread never loaded elkjs (1.6 MB)', async () => {
    expect(requested).toContain(`${server.url}layout-worker.js`);
    const pageLoads = await page.evaluate(() =>
      performance
        .getEntriesByType('resource')
        .map((entry) => ({ name: entry.name, size: (entry as PerformanceResourceTiming).encodedBodySize })),
    );
    expect(pageLoads.length).toBeGreaterThan(0);
    for (const load of pageLoads) expect(load.size, load.name).toBeLessThan(1_000_000);
  });

  test('fetched nothing but the page itself', () => {
    expect(requested.length).toBeGreaterThan(0);
    for (const url of requested) expect(url.startsWith(server.url), url).toBe(true);
  });
});

describe('<handset-statechart> writing its log into the page', () => {
  test('logList: entries go to the page list, the element list is hidden', async () => {
    const outcome = await page.evaluate(async () => {
      type Harness = {
        element: HTMLElementTagNameMap['handset-statechart'];
        phone(userId: string, inspect: unknown): { makeCall(peer: string): void; dispose(): void };
      };
      const { harness } = window as unknown as { harness: Harness };
      const list = document.createElement('ol');
      document.body.append(list);
      const element = document.createElement('handset-statechart');
      document.body.append(element);
      element.setAttribute('log-limit', '2');
      element.logList = list;
      element.machine = harness.element.machine;
      const carol = harness.phone('carol', element.inspector);
      // Nobody is logged in as dave: the call ends at once as unavailable.
      carol.makeCall('dave');
      for (let i = 0; i < 100 && !element.activeStateIds.includes('call.ended'); i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      carol.dispose();
      return {
        entries: [...list.querySelectorAll('li')].map((li) => li.textContent),
        ownLogHidden: element.shadowRoot!.querySelector<HTMLOListElement>('ol.log')!.hidden,
        ownEntries: element.shadowRoot!.querySelectorAll('ol.log > li').length,
      };
    });
    expect(outcome.entries).toHaveLength(2);
    expect(outcome.entries[0]).toContain('→ ended');
    expect(outcome.ownLogHidden).toBe(true);
    expect(outcome.ownEntries).toBe(0);
  });
});

describe('<handset-statechart> given bad input', () => {
  test('something that is no machine: not-a-machine, shown and dispatched, nothing drawn', async () => {
    const outcome = await page.evaluate(() => {
      const element = document.createElement('handset-statechart');
      document.body.append(element);
      const codes: string[] = [];
      element.addEventListener('statechart-error', (event) => codes.push(event.detail.code));
      element.machine = { states: {} } as unknown as typeof element.machine;
      return {
        code: element.error?.code,
        events: codes,
        diagram: element.dataset.diagram,
        alert: element.shadowRoot!.querySelector('[role="alert"]')?.textContent,
        svg: element.shadowRoot!.querySelector('svg') !== null,
      };
    });
    expect(outcome).toEqual({
      code: 'not-a-machine',
      events: ['not-a-machine'],
      diagram: 'failed',
      alert: 'expected an XState machine, got an object without a root state',
      svg: false,
    });
  });

  test('a layout that fails: layout-failed with its cause, and the log still runs', async () => {
    const outcome = await page.evaluate(async () => {
      const { harness } = window as unknown as {
        harness: { element: HTMLElementTagNameMap['handset-statechart'] };
      };
      const element = document.createElement('handset-statechart');
      document.body.append(element);
      element.layouter = { layout: () => Promise.reject(new Error('no worker today')) };
      element.machine = harness.element.machine;
      await element.whenDrawn();
      return {
        code: element.error?.code,
        cause: (element.error?.cause as Error | undefined)?.message,
        diagram: element.dataset.diagram,
      };
    });
    expect(outcome).toEqual({ code: 'layout-failed', cause: 'no worker today', diagram: 'failed' });
  });

  test('a machine replaced while it is laid out: only the last one is drawn', async () => {
    const outcome = await page.evaluate(async () => {
      const { harness } = window as unknown as {
        harness: { element: HTMLElementTagNameMap['handset-statechart'] };
      };
      const element = document.createElement('handset-statechart');
      document.body.append(element);
      let release: () => void = () => {};
      const first = harness.element.machine;
      element.layouter = {
        layout: (graph) =>
          new Promise((resolve) => {
            release = () => resolve(graph);
          }),
      };
      element.machine = first;
      const stale = release;
      element.machine = null;
      stale();
      await new Promise((resolve) => setTimeout(resolve, 50));
      return { diagram: element.dataset.diagram, svg: element.shadowRoot!.querySelector('svg') !== null };
    });
    expect(outcome).toEqual({ diagram: 'empty', svg: false });
  });
});
