// The one logger shape: namespacedLogger adds the namespace and keeps a throwing sink away from its caller;
// jsonLinesLogger is the JSON-lines writer both CLIs print with.
import { describe, expect, it } from 'vitest';
import { jsonLinesLogger, type LogLevel, namespacedLogger } from '../src/index.js';

describe('namespacedLogger', () => {
  it('adds the namespace to every entry, and fields default to none', () => {
    const seen: unknown[] = [];
    const log = namespacedLogger((level, event, fields) => seen.push([level, event, fields]), 'handset:ws');
    log('warn', 'bad-frame', { code: 'oversize' });
    log('info', 'listening');
    expect(seen).toEqual([
      ['warn', 'bad-frame', { code: 'oversize', ns: 'handset:ws' }],
      ['info', 'listening', { ns: 'handset:ws' }],
    ]);
  });

  it('swallows a sink that throws, so logging never breaks the caller', () => {
    const log = namespacedLogger(() => {
      throw new Error('disk full');
    }, 'handset:mqtt-broker');
    expect(() => log('error', 'server-error', {})).not.toThrow();
  });
});

describe('jsonLinesLogger', () => {
  it('writes one JSON object per line with time, level, event and the fields, at minLevel and above', () => {
    const lines: string[] = [];
    const logger = jsonLinesLogger((line) => lines.push(line), 'warn');
    const levels: LogLevel[] = ['debug', 'info', 'warn', 'error'];
    for (const level of levels) logger(level, `${level}-event`, { ns: 'handset:ws', userId: 'ann' });
    expect(lines).toHaveLength(2);
    expect(lines.every((line) => line.endsWith('\n') && !line.slice(0, -1).includes('\n'))).toBe(true);
    const parsed = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(parsed).toMatchObject([
      { level: 'warn', event: 'warn-event', ns: 'handset:ws', userId: 'ann' },
      { level: 'error', event: 'error-event', ns: 'handset:ws', userId: 'ann' },
    ]);
    expect(Number.isNaN(Date.parse(String(parsed[0]?.time)))).toBe(false);
  });

  it('writes info and above by default', () => {
    const lines: string[] = [];
    const logger = jsonLinesLogger((line) => lines.push(line));
    logger('debug', 'quiet', {});
    logger('info', 'heard', {});
    expect(lines.map((line) => (JSON.parse(line) as { event: string }).event)).toEqual(['heard']);
  });
});
