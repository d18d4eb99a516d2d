// The README's tables mirror the code: every export is documented, every error code has its row.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import * as api from '../src/index.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

function tableRows(heading: string): string[] {
  const start = readme.indexOf(`| ${heading} |`);
  expect(start, heading).toBeGreaterThanOrEqual(0);
  const rows: string[] = [];
  for (const line of readme.slice(start).split('\n').slice(2)) {
    if (!line.startsWith('|')) break;
    rows.push(line);
  }
  return rows;
}

describe('README', () => {
  test('documents every runtime export in the API table', () => {
    const documented = tableRows('Export').join('\n');
    for (const name of Object.keys(api)) expect(documented, name).toContain(`\`${name}`);
  });

  test('has one row per error code, and no other', () => {
    const codes = tableRows('Error code').map((row) => /^\| `([^`]+)`/.exec(row)?.[1]);
    expect(codes).toEqual([...api.INSPECTOR_ERROR_CODES]);
  });

  test('its runnable example is the page the Chromium test runs, word for word', () => {
    const page = readFileSync(new URL('./page/main.ts', import.meta.url), 'utf8');
    expect(readme).toContain(`\`\`\`ts\n${page}\`\`\``);
  });
});
