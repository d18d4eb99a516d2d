// The gate that keeps inbox frames until the link says open: in order, and bounded while it never opens.
import { describe, expect, it } from 'vitest';
import { MAX_HELD_FRAMES, OpenGate } from '../src/open-gate.js';

const settle = () => new Promise<void>((resolve) => queueMicrotask(resolve));

describe('OpenGate', () => {
  it('keeps frames until open, then passes them in order, and later ones at once', async () => {
    const passed: string[] = [];
    const gate = new OpenGate((frame) => passed.push(frame));
    gate.offer('a');
    gate.offer('b');
    expect(passed).toEqual([]);
    gate.open();
    await settle();
    expect(passed).toEqual(['a', 'b']);
    gate.offer('c');
    expect(passed).toEqual(['a', 'b', 'c']);
  });

  it('holds frames again once shut', async () => {
    const passed: string[] = [];
    const gate = new OpenGate((frame) => passed.push(frame));
    gate.open();
    await settle();
    gate.shut();
    gate.offer('x');
    expect(passed).toEqual([]);
    gate.open();
    await settle();
    expect(passed).toEqual(['x']);
  });

  it('keeps only the newest frames while the link never opens (the default bound, then a small one)', async () => {
    const passed: string[] = [];
    const gate = new OpenGate((frame) => passed.push(frame));
    for (let i = 0; i < MAX_HELD_FRAMES + 100; i += 1) gate.offer(`f${i}`);
    gate.open();
    await settle();
    expect(passed).toHaveLength(MAX_HELD_FRAMES);
    expect(passed[0]).toBe('f100');
    expect(passed.at(-1)).toBe(`f${MAX_HELD_FRAMES + 99}`);

    const few: string[] = [];
    const small = new OpenGate((frame) => few.push(frame), 2);
    for (const frame of ['1', '2', '3']) small.offer(frame);
    small.open();
    await settle();
    expect(few).toEqual(['2', '3']);
  });
});
