// Core runs in browsers, Node and tests alike only while it imports nothing platform-specific.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import corePackage from '../package.json' with { type: 'json' };

const SRC = fileURLToPath(new URL('../src', import.meta.url));
const files = (readdirSync(SRC, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts'));
const importsOf = (file: string) =>
  [...readFileSync(join(SRC, file), 'utf8').matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)].map((m) => m[1]!);

describe('core depends on nothing platform-specific', () => {
  it('imports no Node module', () => {
    const offenders = files.flatMap((f) =>
      importsOf(f)
        .filter((s) => s.startsWith('node:'))
        .map((s) => `${f}: ${s}`),
    );
    expect(offenders).toEqual([]);
  });

  it('imports no adapter', () => {
    const offenders = files.flatMap((f) =>
      importsOf(f)
        .filter((s) => s.startsWith('@handset/'))
        .map((s) => `${f}: ${s}`),
    );
    expect(offenders).toEqual([]);
  });

  it('imports only its declared dependencies (and vitest, for the conformance suite)', () => {
    const allowed = new Set([...Object.keys(corePackage.dependencies), 'vitest']);
    const external = files.flatMap((f) => importsOf(f).filter((s) => !s.startsWith('.')));
    const packageOf = (s: string) =>
      s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0]!;
    expect(external.map(packageOf).filter((p) => !allowed.has(p))).toEqual([]);
  });

  it('is compiled without DOM or Node type definitions, so a stray global fails the build', () => {
    const tsconfig = JSON.parse(
      readFileSync(fileURLToPath(new URL('../tsconfig.json', import.meta.url)), 'utf8'),
    );
    expect(tsconfig.compilerOptions.types).toEqual([]);
    const base = JSON.parse(
      readFileSync(fileURLToPath(new URL('../../../tsconfig.base.json', import.meta.url)), 'utf8'),
    );
    expect(base.compilerOptions.lib).toEqual(['ES2023']);
  });
});
