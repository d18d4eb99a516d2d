// Versioning with changesets: the plan for the pending changesets bumps public packages only, and never
// moves a private one (the demo, test-support, bench, the examples), which are not published.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { publicPackages, run, WORKSPACE } from './packed-app.ts';

interface ReleasePlan {
  releases: {
    name: string;
    type: 'none' | 'patch' | 'minor' | 'major';
    oldVersion: string;
    newVersion: string;
  }[];
}

it('the release plan bumps only public packages and leaves every private one where it is', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'handset-changesets-'));
  try {
    const output = join(dir, 'plan.json');
    const status = await run('pnpm', ['exec', 'changeset', 'status', `--output=${output}`], WORKSPACE);
    expect(status.code, `${status.stdout}\n${status.stderr}`).toBe(0);
    const plan = JSON.parse(await readFile(output, 'utf8')) as ReleasePlan;
    const published = new Set(publicPackages().map((pkg) => pkg.manifest.name));
    const bumped = plan.releases.filter((release) => release.type !== 'none');
    expect(bumped.map((release) => release.name).filter((name) => !published.has(name))).toEqual([]);
    for (const release of plan.releases.filter((release) => !published.has(release.name))) {
      expect(release.newVersion, release.name).toBe(release.oldVersion);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
