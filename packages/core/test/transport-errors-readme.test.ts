// The README's transport-error table lists every TransportError reason, with its code and permanence.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { TRANSPORT_ERRORS, TransportError, type TransportErrorReason } from '../src/index.js';
import { codeOfTransportReason } from '../src/transport-error.js';

const README = fileURLToPath(new URL('../README.md', import.meta.url));

function tableRows(): string[][] {
  const readme = readFileSync(README, 'utf8');
  const begin = readme.indexOf('<!-- transport-errors:begin');
  const end = readme.indexOf('<!-- transport-errors:end -->');
  expect(begin).toBeGreaterThan(-1);
  return readme
    .slice(begin, end)
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) =>
      line
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim()),
    );
}

describe("core README's transport-error table", () => {
  it('has one row per reason, in the order of TRANSPORT_ERRORS, with its code and whether it is permanent', () => {
    const expected = (Object.keys(TRANSPORT_ERRORS) as TransportErrorReason[]).map((reason) => [
      `\`${reason}\``,
      `\`${codeOfTransportReason(reason)}\``,
      TRANSPORT_ERRORS[reason].permanent ? 'yes' : 'no',
    ]);
    expect(tableRows().map((row) => row.slice(0, 3))).toEqual(expected);
  });

  it('matches what a TransportError of each reason says about itself', () => {
    for (const reason of Object.keys(TRANSPORT_ERRORS) as TransportErrorReason[]) {
      const error = TransportError.of(reason, 'x');
      expect([error.code, error.permanent]).toEqual([
        codeOfTransportReason(reason),
        TRANSPORT_ERRORS[reason].permanent,
      ]);
    }
  });
});
