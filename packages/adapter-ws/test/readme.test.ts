// The README's limits and close-code tables mirror the code: a limit or code added, renamed or re-valued
// without its row fails here.
import { readFileSync } from 'node:fs';
import { TOKEN_ERROR_REASONS } from '@handset/token';
import { describe, expect, it } from 'vitest';
import { CLOSE_CODES } from '../src/close-codes.js';
import { upgradeProtocols } from '../src/control-frames.js';
import { DEFAULT_LIMITS } from '../src/server/options.js';
import { SIGNALING_ERROR_CODES } from '../src/signaling-error.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

/** The rows of the table under `heading` (up to the next heading), as cells. */
function tableRows(heading: string): string[][] {
  const start = readme.indexOf(`\n${heading}\n`);
  if (start === -1) throw new Error(`no section ${heading}`);
  const rest = readme.slice(start + heading.length + 2);
  const section = rest.slice(0, rest.search(/\n#{2,3} /) === -1 ? undefined : rest.search(/\n#{2,3} /));
  return section
    .split('\n')
    .filter((line) => line.startsWith('| ') && !line.startsWith('| ---'))
    .slice(1)
    .map((line) =>
      line
        .slice(1, -1)
        .split(' | ')
        .map((cell) => cell.trim()),
    );
}

const UNITS: Record<string, number> = {
  KiB: 1024,
  MiB: 1024 * 1024,
  ms: 1,
  s: 1000,
  min: 60_000,
  h: 3_600_000,
};

/** `8 KiB` → 8192, `5 s` → 5000 (limits in ms), `100000` → 100000. */
function parseValue(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(?: (KiB|MiB|ms|s|min|h))?$/.exec(text.trim());
  if (!match) throw new Error(`cannot read the value ${text}`);
  return Number(match[1]) * (match[2] ? (UNITS[match[2]] ?? Number.NaN) : 1);
}

describe('packages/adapter-ws/README.md', () => {
  it('lists every limit once, with its default', () => {
    const documented = new Map<string, number>();
    for (const [names = '', defaults = ''] of tableRows('## Limits (`limits` option)')) {
      const keys = [...names.matchAll(/`(\w+)`/g)].map((m) => m[1] ?? '');
      const values = defaults.split(' / ');
      expect(values, `defaults of ${names}`).toHaveLength(keys.length);
      keys.forEach((key, i) => {
        expect(documented.has(key), `${key} listed twice`).toBe(false);
        documented.set(key, parseValue(values[i] ?? ''));
      });
    }
    expect(Object.fromEntries(documented)).toEqual({ ...DEFAULT_LIMITS });
  });

  it('lists every close code the server and client use, and no other', () => {
    const documented = tableRows('## Close codes').map(([code]) => Number(code));
    expect(documented.sort()).toEqual(Object.values(CLOSE_CODES).sort());
  });

  it('lists the subprotocols a client offers to log in during the upgrade, in the order it offers them', () => {
    const documented = tableRows('### Logging in during the upgrade').map(([entry = '']) =>
      entry.replaceAll('`', ''),
    );
    const offered = (upgradeProtocols({ token: 'TOKEN', sessionId: 'SESSION', received: 7 }) ?? []).map(
      (entry) =>
        entry.replace('TOKEN', '<token>').replace('SESSION', '<sessionId>').replace(/\.7$/, '.<received>'),
    );
    expect(documented).toEqual(offered);
  });

  it("lists every error code (the token reasons and the server's own), and no other", () => {
    const documented = tableRows(
      "## Error codes (`SignalingError.reason`; `code` is core's `transport`)",
    ).flatMap(([codes = '']) => [...codes.matchAll(/`([a-z-]+)`/g)].map((m) => m[1]));
    expect(documented.sort()).toEqual(
      [...Object.keys(TOKEN_ERROR_REASONS), ...Object.keys(SIGNALING_ERROR_CODES)].sort(),
    );
  });
});
