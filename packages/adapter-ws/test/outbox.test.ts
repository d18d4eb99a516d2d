// A session's outbox: frames kept until acknowledged by count, bounded in frames and bytes (oldest
// dropped first, never the newest), handed back with their wait on resume and decoded when they expire.
import { createEnvelope, encodeEnvelope } from '@handset/core';
import { describe, expect, it } from 'vitest';
import { Outbox } from '../src/server/outbox.js';

const frame = (n: number) =>
  encodeEnvelope(
    createEnvelope(
      { type: 'ringing', callId: `call-${n}`, from: 'alice', fromDevice: 'a', to: 'bob' },
      `id-${n}`,
    ),
  );
const held = (outbox: Outbox, now = 0) => [...outbox.held(now)].map(({ frame }) => JSON.parse(frame).id);

describe('Outbox', () => {
  it('forgets what the client has acknowledged by count, and nothing else', () => {
    const outbox = new Outbox({ maxFrames: 10, maxBytes: Number.POSITIVE_INFINITY });
    for (let n = 0; n < 4; n += 1) outbox.push(frame(n), n);
    outbox.acknowledge(2);
    expect(held(outbox)).toEqual(['id-2', 'id-3']);
    outbox.acknowledge(1);
    expect(held(outbox)).toEqual(['id-2', 'id-3']);
    outbox.push(frame(4), 4);
    outbox.acknowledge(4);
    expect(held(outbox)).toEqual(['id-4']);
    expect(outbox.queuedBytes).toBe(Buffer.byteLength(frame(4)));
  });

  it('keeps at most maxFrames, dropping the oldest, and says so', () => {
    const outbox = new Outbox({ maxFrames: 2, maxBytes: Number.POSITIVE_INFINITY });
    expect(outbox.push(frame(0), 0)).toBe(false);
    expect(outbox.push(frame(1), 1)).toBe(false);
    expect(outbox.push(frame(2), 2)).toBe(true);
    expect(held(outbox)).toEqual(['id-1', 'id-2']);
    // Positions still count everything sent: acknowledging 2 forgets id-1 only.
    outbox.acknowledge(2);
    expect(held(outbox)).toEqual(['id-2']);
  });

  it('keeps the newest frame even when it alone is over maxBytes', () => {
    const outbox = new Outbox({ maxFrames: 10, maxBytes: 10 });
    outbox.push(frame(0), 0);
    expect(outbox.push(frame(1), 1)).toBe(true);
    expect(held(outbox)).toEqual(['id-1']);
  });

  it('tells how long each frame waited, and hands back every frame decoded when emptied', () => {
    const outbox = new Outbox({ maxFrames: 2, maxBytes: Number.POSITIVE_INFINITY });
    for (let n = 0; n < 3; n += 1) outbox.push(frame(n), 100 + n);
    expect([...outbox.held(110)].map(({ waitedMs }) => waitedMs)).toEqual([9, 8]);
    expect(outbox.takeAll().map((envelope) => envelope.id)).toEqual(['id-1', 'id-2']);
    expect(held(outbox)).toEqual([]);
    expect(outbox.queuedBytes).toBe(0);
  });
});
