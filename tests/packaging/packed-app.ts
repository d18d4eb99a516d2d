// What a new user does with Handset's public packages: pack them, install the tarballs into an app of its own
// outside the workspace, then load and type-check them there. The pack/install test drives these steps.
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { isBuiltin } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const WORKSPACE = fileURLToPath(new URL('../..', import.meta.url));

type ExportTarget = string | { [condition: string]: string };

export interface PackageManifest {
  name: string;
  version: string;
  private?: boolean;
  main?: string;
  types?: string;
  bin?: Record<string, string>;
  exports: Record<string, ExportTarget>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

export interface PublicPackage {
  dir: string;
  manifest: PackageManifest;
}

/** Every package under packages/ that is not private: what `changeset publish` would publish. */
export function publicPackages(): PublicPackage[] {
  const root = join(WORKSPACE, 'packages');
  return readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => join(root, entry.name))
    .flatMap((dir) => {
      try {
        const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageManifest;
        return manifest.private ? [] : [{ dir, manifest }];
      } catch {
        return [];
      }
    });
}

/** The specifiers an app can import: each `exports` key but `./package.json`, as a full module name. */
export function entryPointsOf(manifest: PackageManifest): string[] {
  return Object.keys(manifest.exports)
    .filter((key) => key !== './package.json')
    .map((key) => (key === '.' ? manifest.name : `${manifest.name}/${key.slice(2)}`));
}

/** Every file the manifest points at (entry points under each condition, main, types, bins). */
export function filesNamedBy(manifest: PackageManifest): string[] {
  const named = new Set<string>();
  for (const target of Object.values(manifest.exports)) {
    for (const file of typeof target === 'string' ? [target] : Object.values(target)) named.add(file);
  }
  for (const file of [manifest.main, manifest.types, ...Object.values(manifest.bin ?? {})]) {
    if (file) named.add(file);
  }
  return [...named].map((file) => file.replace(/^\.\//, ''));
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The environment of a user's shell: without what `pnpm exec` and vitest add (NODE_PATH would let
 * `require()` find the workspace's own node_modules, npm_config_* would steer the app's install).
 */
function cleanEnvironment(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) => !/^(NODE_PATH|NODE_OPTIONS|VITEST.*|npm_.*|PNPM_SCRIPT_SRC_DIR)$/i.test(name),
    ),
  );
}

/** Runs a command to its end and reports how it went; never throws for a non-zero exit. */
export async function run(command: string, args: string[], cwd: string): Promise<RunResult> {
  try {
    const { stdout, stderr } = await promisify(execFile)(command, args, {
      cwd,
      maxBuffer: 256 * 1024 * 1024,
      env: cleanEnvironment(),
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return {
      code: typeof failed.code === 'number' ? failed.code : 1,
      stdout: failed.stdout ?? '',
      stderr: failed.stderr ?? String(error),
    };
  }
}

async function mustRun(command: string, args: string[], cwd: string): Promise<string> {
  const result = await run(command, args, cwd);
  if (result.code !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} failed (${result.code}):\n${result.stdout}\n${result.stderr}`,
    );
  }
  return result.stdout;
}

/** `pnpm pack` of one package into `destination`; returns the tarball's path. */
export async function pack(pkg: PublicPackage, destination: string): Promise<string> {
  const before = new Set(readdirSync(destination));
  await mustRun('pnpm', ['pack', '--pack-destination', destination], pkg.dir);
  const made = readdirSync(destination).filter((file) => !before.has(file) && file.endsWith('.tgz'));
  if (made.length !== 1)
    throw new Error(`pnpm pack of ${pkg.manifest.name} made ${made.join(', ') || 'nothing'}`);
  return join(destination, made[0]!);
}

/** The paths inside a tarball, without npm's `package/` prefix. */
export async function tarballFiles(tarball: string): Promise<string[]> {
  const listing = await mustRun('tar', ['-tzf', tarball], '/');
  return listing
    .split('\n')
    .filter(Boolean)
    .map((path) => path.replace(/^package\//, ''));
}

const workspaceVersion = (name: string) =>
  (JSON.parse(readFileSync(join(WORKSPACE, 'node_modules', name, 'package.json'), 'utf8')) as PackageManifest)
    .version;

/**
 * An app that depends on every tarball (and on each other's tarballs, through overrides, so nothing of
 * Handset comes from the registry), plus `@types/node` for the type-check. Third-party dependencies come
 * from pnpm's store where it has them, else the registry. No test runner is installed.
 */
export async function installApp(appDir: string, tarballs: Map<string, string>): Promise<void> {
  await mkdir(appDir, { recursive: true });
  const fileSpecs = Object.fromEntries([...tarballs].map(([name, tarball]) => [name, `file:${tarball}`]));
  const manifest = {
    name: 'handset-packed-app',
    private: true,
    type: 'module',
    dependencies: fileSpecs,
    devDependencies: { '@types/node': workspaceVersion('@types/node') },
  };
  await writeFile(join(appDir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const overrides = Object.entries(fileSpecs).map(([name, spec]) => `  '${name}': '${spec}'`);
  await writeFile(join(appDir, 'pnpm-workspace.yaml'), `overrides:\n${overrides.join('\n')}\n`);
  await mustRun('pnpm', ['install', '--prefer-offline', '--config.confirmModulesPurge=false'], appDir);
}

export type TypeScriptResolution = 'NodeNext' | 'Bundler' | 'node10';

const compilerOptions: Record<TypeScriptResolution, Record<string, unknown>> = {
  NodeNext: { module: 'NodeNext', moduleResolution: 'NodeNext' },
  Bundler: { module: 'ESNext', moduleResolution: 'Bundler' },
  node10: { module: 'CommonJS', moduleResolution: 'node10' },
};

/**
 * Type-checks a strict consumer that imports every entry point under one module resolution (under NodeNext
 * from an ES module and from a CommonJS one), with the workspace's TypeScript.
 */
export async function typeCheck(
  appDir: string,
  entryPoints: string[],
  resolution: TypeScriptResolution,
): Promise<RunResult> {
  const dir = join(appDir, `consumer-${resolution}`);
  await mkdir(dir, { recursive: true });
  const lines = entryPoints.flatMap((entry, index) => [
    `import * as entry${index} from '${entry}';`,
    `export const names${index} = Object.keys(entry${index});`,
  ]);
  await writeFile(join(dir, 'consumer.ts'), `${lines.join('\n')}\n`);
  // Under NodeNext a CommonJS module of the app may `require()` the ES modules too (TypeScript ≥ 5.8).
  const commonJs = entryPoints.map((entry, index) => `import entry${index} = require('${entry}');`);
  const commonJsUses = `export const names = [${entryPoints.map((_, index) => `entry${index}`).join(', ')}];`;
  if (resolution === 'NodeNext') {
    await writeFile(join(dir, 'consumer.cts'), `${commonJs.join('\n')}\n${commonJsUses}\n`);
  }
  const tsconfig = {
    compilerOptions: {
      ...compilerOptions[resolution],
      target: 'ES2022',
      lib: ['ES2023', 'DOM', 'DOM.Iterable'],
      types: ['node'],
      strict: true,
      noEmit: true,
      // What app templates set; `false` also checks valibot's and rxjs's declarations, for minutes, and
      // stops at valibot's depth limit on core's exported schemas (reported to the lead).
      skipLibCheck: true,
    },
    files: resolution === 'NodeNext' ? ['consumer.ts', 'consumer.cts'] : ['consumer.ts'],
  };
  await writeFile(join(dir, 'tsconfig.json'), `${JSON.stringify(tsconfig, null, 2)}\n`);
  const tsc = join(WORKSPACE, 'node_modules', 'typescript', 'bin', 'tsc');
  // skipLibCheck turns an import a declaration file cannot resolve into a silent `any`, so the run also
  // traces resolution and fails on any import of Handset's own declarations left unresolved (Node's
  // built-ins resolve to @types/node's ambient modules).
  const traced = await run(
    process.execPath,
    [tsc, '-p', join(dir, 'tsconfig.json'), '--traceResolution'],
    dir,
  );
  const problems = [
    ...traced.stdout.split('\n').filter((line) => /error TS\d+/.test(line)),
    ...unresolvedImports(traced.stdout)
      .filter(({ from, specifier }) => from.includes('/node_modules/@handset/') && !isBuiltin(specifier))
      .map(({ from, specifier }) => `${from}: cannot resolve '${specifier}'`),
  ];
  if (traced.code !== 0 && problems.length === 0)
    problems.push(`tsc failed (${traced.code}): ${traced.stderr}`);
  return { code: problems.length === 0 ? 0 : 1, stdout: problems.join('\n'), stderr: traced.stderr };
}

/** The imports tsc's `--traceResolution` output reports as not resolved, with the file that made them. */
function unresolvedImports(trace: string): { from: string; specifier: string }[] {
  const importer = new Map<string, string>();
  const found: { from: string; specifier: string }[] = [];
  for (const line of trace.split('\n')) {
    const resolving = /^======== Resolving module '([^']+)' from '([^']+)'/.exec(line);
    if (resolving) importer.set(resolving[1]!, resolving[2]!);
    const failed = /^======== Module name '([^']+)' was not resolved/.exec(line);
    if (failed) found.push({ from: importer.get(failed[1]!) ?? '?', specifier: failed[1]! });
  }
  return found;
}
