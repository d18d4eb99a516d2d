// 5. Bundle size: what an app ships for a call, each library bundled the same way (esbuild, ESM, browser,
// es2020, minified, tree-shaken) and gzipped at level 9.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';
import type { BenchContext, Measurement, Section } from '../harness/section.js';
import { formatNumber, median, ratio } from '../harness/stats.js';

const benchDir = fileURLToPath(new URL('../..', import.meta.url));
const require = createRequire(import.meta.url);

interface Candidate {
  name: string;
  /** The import an app writes to get a call going. */
  entry: string;
  packages: string[];
}

const CANDIDATES: Candidate[] = [
  {
    name: 'Handset (@handset/core + @handset/adapter-ws)',
    entry:
      "export { createPhone } from '@handset/core';\nexport { createWsTransport } from '@handset/adapter-ws';",
    packages: ['@handset/core', '@handset/adapter-ws'],
  },
  { name: 'PeerJS client (peerjs)', entry: "export { Peer } from 'peerjs';", packages: ['peerjs'] },
  {
    name: 'simple-peer',
    entry: "export { default as SimplePeer } from 'simple-peer';",
    packages: ['simple-peer'],
  },
];

const BUILD_SETTINGS = 'esbuild 0.28.2, bundle, ESM, platform browser, target es2020, minify, gzip level 9';

interface Built {
  minified: number;
  gzipped: number;
  metafile: Metafile;
}

/** Where core resolves its own dependencies from (the bench does not depend on xstate or rxjs itself). */
const coreDir = fileURLToPath(new URL('../../../packages/core/', import.meta.url));

async function bundle(candidate: Candidate, resolveDir = benchDir): Promise<Built> {
  const result = await build({
    stdin: { contents: candidate.entry, resolveDir, loader: 'js', sourcefile: 'entry.js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    write: false,
    metafile: true,
    logLevel: 'silent',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  const code = result.outputFiles[0]?.contents ?? new Uint8Array();
  return { minified: code.length, gzipped: gzipSync(code, { level: 9 }).length, metafile: result.metafile };
}

/** Libraries the issue keeps Handset on: their share of the bundle is a floor no change in Handset can go below. */
const KEPT_LIBRARIES = ['xstate', 'rxjs'];

/**
 * An entry importing exactly what Handset's own bundled modules import from the kept libraries, read from the
 * files the Handset build included (its metafile), so the floor follows the code without a list to maintain.
 */
function keptLibrariesEntry(metafile: Metafile): string {
  const names = new Map<string, Set<string>>(KEPT_LIBRARIES.map((name) => [name, new Set<string>()]));
  for (const path of Object.keys(metafile.inputs)) {
    if (!/packages\/[^/]+\/dist\/.*\.js$/.test(path)) continue;
    const text = readFileSync(resolve(process.cwd(), path), 'utf8');
    for (const match of text.matchAll(/import\s*\{([^}]*)\}\s*from\s*'([^']+)'/g)) {
      const wanted = names.get(match[2] ?? '');
      for (const name of (match[1] ?? '').split(',')) {
        const trimmed = name.trim();
        if (wanted && trimmed && !trimmed.startsWith('type '))
          wanted.add(trimmed.split(/\s+as\s+/)[0] ?? trimmed);
      }
    }
  }
  return [...names]
    .filter(([, imported]) => imported.size > 0)
    .map(([library, imported]) => `export { ${[...imported].sort().join(', ')} } from '${library}';`)
    .join('\n');
}

function packageVersion(name: string): string {
  try {
    const manifest = require(`${name}/package.json`) as { version: string };
    return manifest.version;
  } catch {
    return '?';
  }
}

/** Bytes of the minified output that came from each node_modules package (or workspace package). */
function largestInputs(metafile: Metafile, count: number): string {
  const byPackage = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [path, input] of Object.entries(output.inputs)) {
      const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*node_modules)/.exec(path);
      const owner = match?.[1] ?? /packages\/([^/]+)\//.exec(path)?.[1] ?? 'entry';
      byPackage.set(owner, (byPackage.get(owner) ?? 0) + input.bytesInOutput);
    }
  }
  return [...byPackage.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, bytes]) => `${name} ${formatNumber(bytes / 1024, 1)} KB`)
    .join(', ');
}

async function run(context: BenchContext): Promise<Section> {
  const sizes = new Map<string, { minified: number[]; gzipped: number[] }>();
  const metafiles = new Map<string, Metafile>();
  for (let round = 0; round < context.runs; round += 1) {
    for (const candidate of CANDIDATES) {
      const built = await bundle(candidate);
      const entry = sizes.get(candidate.name) ?? { minified: [], gzipped: [] };
      entry.minified.push(built.minified);
      entry.gzipped.push(built.gzipped);
      sizes.set(candidate.name, entry);
      metafiles.set(candidate.name, built.metafile);
    }
  }
  const ours = CANDIDATES[0];
  const floor = await bundle(
    {
      name: 'floor',
      entry: keptLibrariesEntry(metafiles.get(ours?.name ?? '') ?? { inputs: {}, outputs: {} }),
      packages: KEPT_LIBRARIES,
    },
    coreDir,
  );
  const reference = median(sizes.get(ours?.name ?? '')?.gzipped ?? []);
  const rows = CANDIDATES.map((candidate) => {
    const entry = sizes.get(candidate.name) ?? { minified: [], gzipped: [] };
    const gz = median(entry.gzipped);
    const versions = candidate.packages
      .filter((name) => !name.startsWith('@handset/'))
      .map((name) => `${name}@${packageVersion(name)}`)
      .join(', ');
    return [
      `${candidate.name}${versions ? ` (${versions})` : ''}`,
      formatNumber(median(entry.minified) / 1024, 1),
      formatNumber(gz / 1024, 1),
      ratio(gz, reference),
    ];
  });
  const gz = (name: string | undefined) => median(sizes.get(name ?? '')?.gzipped ?? []);
  const handset = gz(ours?.name);
  const peers = CANDIDATES.slice(1).map((candidate) => ({ name: candidate.name, size: gz(candidate.name) }));
  const smallest = peers.reduce((a, b) => (b.size < a.size ? b : a));
  const finding = `bundle ${formatNumber(handset / 1024, 1)} KB min+gzip vs ${smallest.name.split(' (')[0]} ${formatNumber(smallest.size / 1024, 1)} KB (${ratio(handset, smallest.size)})`;
  const allSame = [...sizes.values()].every((entry) => new Set(entry.gzipped).size === 1);
  return {
    title: '5. Bundle size (what an app ships for a call)',
    parameters: `${BUILD_SETTINGS}; ${context.runs} builds each`,
    tables: [
      {
        columns: ['bundle', 'min (KB)', 'min+gzip (KB)', 'min+gzip ratio to Handset'],
        rows,
      },
    ],
    notes: [
      allSame
        ? 'Builds are deterministic: every run gave the same bytes.'
        : 'Builds varied between runs; the table shows medians.',
      `Handset's bundle by package (bytes in the minified output): ${largestInputs(metafiles.get(ours?.name ?? '') ?? { inputs: {}, outputs: {} }, 6)}.`,
      `xstate and rxjs alone, as Handset's bundled modules import them (${KEPT_LIBRARIES.map((name) => `${name}@${packageVersion(name)}`).join(', ')}), come to ${formatNumber(floor.gzipped / 1024, 1)} KB min+gzip (${formatNumber(floor.minified / 1024, 1)} KB min): the floor for any Handset bundle that keeps both.`,
      'Handset ships the whole call lifecycle (statechart, validation, reconnection); PeerJS and simple-peer ship a peer-connection wrapper (PeerJS also its server client).',
    ],
    ahead: handset <= smallest.size ? [finding] : [],
    behind: handset > smallest.size ? [finding] : [],
  };
}

export const bundleSize: Measurement = { name: 'bundle', run };
