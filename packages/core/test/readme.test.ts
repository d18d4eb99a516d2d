import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FAILURES } from '../scripts/failure-table.js';
import { generatedReadme, README_PATH } from '../scripts/state-diagram.js';
import { callMachine } from '../src/call/index.js';
import { END_CODE_DESCRIPTIONS } from '../src/index.js';

describe('packages/core/README.md', () => {
  it('shows the state diagram and end reasons of the machine as it is (run `pnpm diagram` after a change)', () => {
    const readme = readFileSync(README_PATH, 'utf8');
    expect(readme).toBe(generatedReadme(readme, callMachine, END_CODE_DESCRIPTIONS));
  });

  it('lists, in its failure table, a way to meet every end code', () => {
    const covered = new Set(FAILURES.flatMap((row) => (row.ends ? [row.ends] : [])));
    expect(Object.keys(END_CODE_DESCRIPTIONS).filter((code) => !covered.has(code as never))).toEqual([]);
  });
});
