// The API reference (`pnpm docs`, TypeDoc over typedoc.json) builds, documents every entry point a user can
// import, and references no type it leaves out (validation.notExported and invalidLink are errors).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { entryPointsOf, publicPackages, run, WORKSPACE } from './packed-app.ts';

/**
 * The one warning allowed: TypeDoc 0.28 reports a property spread into many valibot object schemas (the
 * envelope header in core's protocol.ts) as "multiple declarations with a comment" though it is one
 * declaration. Any other warning fails the test.
 */
const KNOWN_TYPEDOC_QUIRK = /has multiple declarations with a comment/;
const COLOURS = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

it('builds the API reference of every public entry point with no missing export or broken link', {
  timeout: 600_000,
}, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'handset-docs-'));
  try {
    const json = join(dir, 'api.json');
    const built = await run(
      'pnpm',
      ['exec', 'typedoc', '--out', join(dir, 'api'), '--json', json],
      WORKSPACE,
    );
    const log = `${built.stdout}\n${built.stderr}`.replace(COLOURS, '');
    expect(built.code, log).toBe(0);
    expect(log).not.toMatch(/\[error\]/);
    const warnings = log
      .split('\n')
      .filter((line) => line.startsWith('[warning]') && !/Found \d+ errors and \d+ warnings/.test(line))
      .filter((line) => !KNOWN_TYPEDOC_QUIRK.test(line));
    expect(warnings).toEqual([]);
    const project = JSON.parse(await readFile(json, 'utf8')) as { children: { name: string }[] };
    const documented = project.children.map((module) => module.name).sort();
    const importable = publicPackages()
      .flatMap((pkg) => entryPointsOf(pkg.manifest))
      .sort();
    expect(documented).toEqual(importable);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
