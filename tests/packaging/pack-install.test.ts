// Handset as a user gets it: every public package packed, the tarballs installed into an app outside the
// workspace, each entry point loaded under ESM and CommonJS and type-checked under three module resolutions.
// Needs the packages built first (`pnpm run build`, which `npm test` does).
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  entryPointsOf,
  filesNamedBy,
  installApp,
  type PublicPackage,
  pack,
  publicPackages,
  run,
  type TypeScriptResolution,
  tarballFiles,
  typeCheck,
} from './packed-app.ts';

const packages = publicPackages();
const entryPoints = packages.flatMap((pkg) => entryPointsOf(pkg.manifest));

/** Entry points that import a test runner the app does not install: they must fail on that alone. */
const NEEDS_RUNNER: Record<string, string> = { '@handset/core/conformance': 'vitest' };

let workDir = '';
let appDir = '';
const tarballs = new Map<string, string>();
const contents = new Map<string, string[]>();

/** The names an entry point exports, loaded in a fresh Node process of the app, by `import` or `require`. */
async function exportedNames(entry: string, how: 'import' | 'require', conditions: string[] = []) {
  const flags = conditions.map((condition) => `--conditions=${condition}`);
  const print = 'console.log(JSON.stringify(Object.keys(m).filter((k) => k !== "__esModule").sort()))';
  const args =
    how === 'import'
      ? [...flags, '--input-type=module', '-e', `const m = await import(${JSON.stringify(entry)}); ${print}`]
      : [...flags, '-e', `const m = require(${JSON.stringify(entry)}); ${print}`];
  const result = await run(process.execPath, args, appDir);
  return { ...result, names: result.code === 0 ? (JSON.parse(result.stdout) as string[]) : [] };
}

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'handset-pack-'));
  appDir = join(workDir, 'app');
  const tarballDir = join(workDir, 'tarballs');
  await run('mkdir', ['-p', tarballDir], workDir);
  for (const pkg of packages) {
    const missing = filesNamedBy(pkg.manifest).filter((file) => !existsSync(join(pkg.dir, file)));
    if (missing.length > 0) {
      throw new Error(
        `${pkg.manifest.name} names files that do not exist (${missing.join(', ')}): build it (pnpm run build) or mend its manifest`,
      );
    }
    const tarball = await pack(pkg, tarballDir);
    tarballs.set(pkg.manifest.name, tarball);
    contents.set(pkg.manifest.name, await tarballFiles(tarball));
  }
  await installApp(appDir, tarballs);
});

afterAll(async () => {
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe('the packed packages, installed into an app outside the workspace', () => {
  it('are the public packages of the workspace, each with entry points', () => {
    expect(packages.map((pkg) => pkg.manifest.name)).toEqual(
      expect.arrayContaining([
        '@handset/core',
        '@handset/token',
        '@handset/adapter-ws',
        '@handset/adapter-mqtt',
      ]),
    );
    expect(appDir.startsWith(tmpdir())).toBe(true);
    for (const pkg of packages) expect(entryPointsOf(pkg.manifest).length).toBeGreaterThan(0);
  });

  describe.each(packages.map((pkg) => [pkg.manifest.name, pkg] as [string, PublicPackage]))(
    '%s',
    (name, pkg) => {
      it('declares for every entry point types, import and a default condition, in that order', () => {
        for (const [subpath, target] of Object.entries(pkg.manifest.exports)) {
          if (subpath === './package.json') continue;
          expect(typeof target, subpath).toBe('object');
          const conditions = Object.keys(target as object);
          expect(conditions[0], subpath).toBe('types');
          expect(conditions.at(-1), subpath).toBe('default');
          expect(conditions, subpath).toContain('import');
        }
        expect(pkg.manifest.main && pkg.manifest.types, 'main and types for node10 resolution').toBeTruthy();
      });

      it('packs its README, LICENSE and every file its manifest names', () => {
        const files = contents.get(name)!;
        expect(files).toEqual(expect.arrayContaining(['package.json', 'README.md', 'LICENSE']));
        expect(files).toEqual(expect.arrayContaining(filesNamedBy(pkg.manifest)));
      });

      it('packs no tests and no build output left from a source that is gone', () => {
        const files = contents.get(name)!;
        expect(
          files.filter((file) => /(^|\/)(test|tests|__tests__)\/|\.(test|spec)\.[cm]?[jt]sx?$/.test(file)),
        ).toEqual([]);
        // dist/a/b.js must come from src/a/b.ts(x): a stale file would ship code nobody maintains.
        const sources = new Set(files.filter((file) => file.startsWith('src/')));
        const stale = files
          .filter((file) => file.startsWith('dist/') && file.endsWith('.js'))
          .filter((file) => {
            const base = `src/${file.slice('dist/'.length, -'.js'.length)}`;
            return !sources.has(`${base}.ts`) && !sources.has(`${base}.tsx`);
          });
        expect(stale, 'stale build output: delete the package dist/ and rebuild').toEqual([]);
      });
    },
  );

  describe.each(entryPoints.map((entry) => [entry]))('%s', (entry) => {
    const runner = NEEDS_RUNNER[entry];

    if (runner) {
      it(`imports nothing missing but its test runner (${runner})`, async () => {
        const loaded = await exportedNames(entry, 'import');
        expect(loaded.code).not.toBe(0);
        expect(loaded.stderr).toMatch(new RegExp(`Cannot find (package|module) '${runner}'`));
      });
      return;
    }

    it('loads with import and with require(), giving the same exports', async () => {
      const imported = await exportedNames(entry, 'import');
      expect(imported.code, imported.stderr).toBe(0);
      expect(imported.names.length).toBeGreaterThan(0);
      const required = await exportedNames(entry, 'require');
      expect(required.code, required.stderr).toBe(0);
      expect(required.names).toEqual(imported.names);
    });
  });

  it('@handset/core/testing loads where no test runner is installed', async () => {
    const vitest = await run(process.execPath, ['-e', 'require.resolve("vitest")'], appDir);
    expect(vitest.code).not.toBe(0);
    const testing = await exportedNames('@handset/core/testing', 'import');
    expect(testing.code, testing.stderr).toBe(0);
    expect(testing.names).toEqual(
      expect.arrayContaining(['createFakePeerConnections', 'createMemoryNetwork', 'waitOpen']),
    );
  });

  it('gives bundlers a browser stub that explains itself for each Node-only server entry', async () => {
    for (const entry of ['@handset/adapter-ws/server', '@handset/adapter-mqtt/broker', '@handset/node']) {
      const script = `import(${JSON.stringify(entry)}).then((m) => { try { (m.startSignalServer ?? m.startBroker ?? m.createNodePorts)(); } catch (e) { console.log(e.code, e.message); } })`;
      const result = await run(process.execPath, ['--conditions=browser', '-e', script], appDir);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toMatch(/Node only/);
    }
  });

  it.each<TypeScriptResolution>(['NodeNext', 'Bundler', 'node10'])(
    'type-checks a consumer of every entry point under moduleResolution %s',
    async (resolution) => {
      const result = await typeCheck(appDir, entryPoints, resolution);
      expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    },
  );
});
