// One logger shape: core's `(level, event, fields)` logger also serves the embedded broker.
import { entryLogger } from '@handset/adapter-mqtt';
import { describe, expect, it } from 'vitest';

describe('one logger shape', () => {
  it("serves the broker's entry sink from core's (level, event, fields) logger", () => {
    const seen: unknown[] = [];
    entryLogger((level, event, fields) => seen.push([level, event, fields]))({
      level: 'warn',
      ns: 'handset:mqtt-broker',
      event: 'auth-refused',
      clientId: 'a:b',
    });
    expect(seen).toEqual([['warn', 'auth-refused', { ns: 'handset:mqtt-broker', clientId: 'a:b' }]]);
  });
});
