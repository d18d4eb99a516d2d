// The README's broker tables mirror the code and the shipped configuration: a refusal code, a limit or a
// mosquitto setting cannot change without the documentation changing with it.
import { readFileSync } from 'node:fs';
import { BROKER_REFUSAL_CODES, DEFAULT_BROKER_LIMITS } from '@handset/adapter-mqtt/broker';
import { describe, expect, it } from 'vitest';

const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const CONF = readFileSync(new URL('../mosquitto/handset.conf', import.meta.url), 'utf8');

function section(heading: string): string {
  const start = README.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`README has no "${heading}"`);
  const next = README.slice(start + heading.length + 2).search(/\n#{2,3} /);
  return next < 0 ? README.slice(start) : README.slice(start, start + heading.length + 2 + next);
}

/** Table rows as cells, without the header and separator rows. */
function rows(markdown: string): string[][] {
  return markdown
    .split('\n')
    .filter((line) => line.startsWith('| ') && !line.startsWith('| ---'))
    .map((line) =>
      line
        .slice(2, -2)
        .split(' | ')
        .map((cell) => cell.trim()),
    );
}

describe('packages/adapter-mqtt/README.md', () => {
  it('lists every broker refusal code, with its meaning, exactly as BROKER_REFUSAL_CODES says', () => {
    const codeRows = rows(section('### Rules the embedded broker enforces'))
      .filter(([first]) => /^`[a-z-]+`$/.test(first ?? ''))
      .map(([code, meaning]) => [code?.slice(1, -1), meaning]);
    expect(codeRows).toEqual(Object.entries(BROKER_REFUSAL_CODES));
  });

  it("gives every embedded limit's default as DEFAULT_BROKER_LIMITS has it", () => {
    const documented = new Map<string, string>();
    for (const heading of ['### Embedded broker, TCP listener', '### Embedded broker, WebSocket listener']) {
      for (const [, value, option] of rows(section(heading))) {
        if (option?.startsWith('`')) documented.set(option.slice(1, -1), value ?? '');
      }
    }
    for (const [option, value] of Object.entries(DEFAULT_BROKER_LIMITS)) {
      expect({ option, documented: documented.get(option) }).toEqual({
        option,
        documented: expect.stringMatching(new RegExp(`^${value}( |$)`)),
      });
    }
  });

  it('gives every mosquitto setting in its limits table the value handset.conf ships', () => {
    const settings = rows(section('### mosquitto, shipped `handset.conf`')).flatMap(([, value, setting]) =>
      [...(setting ?? '').matchAll(/`([a-z_]+)`/g)].map((match) => ({ name: match[1]!, value: value ?? '' })),
    );
    expect(settings.length).toBeGreaterThanOrEqual(8);
    const human: Record<string, string> = { 1048576: '1 MiB', 268435456: '256 MiB', '1h': '1 h' };
    for (const { name, value } of settings) {
      const shipped = [...CONF.matchAll(new RegExp(`^${name} (\\S+)$`, 'gm'))].map((match) => match[1]!);
      if (name === 'handset_identity') continue;
      expect({ name, shipped: shipped.length > 0 }).toEqual({ name, shipped: true });
      for (const shippedValue of shipped) {
        const wanted = (human[shippedValue] ?? shippedValue).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        expect({ name, value }).toEqual({
          name,
          value: expect.stringMatching(new RegExp(`(^|[^0-9])${wanted}([^0-9]|$)`)),
        });
      }
    }
  });
});
