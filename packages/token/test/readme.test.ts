// The README's reason table mirrors TOKEN_ERROR_REASONS: a new reason cannot ship undocumented.
import { readFileSync } from 'node:fs';
import { TOKEN_ERROR_REASONS } from '@handset/token';
import { describe, expect, it } from 'vitest';

const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

function reasonRows(markdown: string): [string, string][] {
  return [...markdown.matchAll(/^\| `(token-[a-z-]+)` +\| (.+?) \|$/gm)].map((m) => [m[1] ?? '', m[2] ?? '']);
}

describe('packages/token/README.md', () => {
  it('lists every refusal reason, with its meaning, exactly as TOKEN_ERROR_REASONS says', () => {
    expect(reasonRows(README)).toEqual(Object.entries(TOKEN_ERROR_REASONS));
  });
});
