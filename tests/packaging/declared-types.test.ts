// Core's protocol types as an app that checks declaration files (skipLibCheck false) sees them: written
// out, not valibot's inferred types, which made TypeScript give up with TS2589 inside core's .d.ts.
// Needs core built (`pnpm run build`); protocol.ts itself checks the written-out types equal the schemas'.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { run, WORKSPACE } from './packed-app.ts';

const APP = `import type { Envelope, EnvelopeOf, MessageType, EnvelopeDraft } from ${JSON.stringify(
  join(WORKSPACE, 'packages/core/dist/index.js'),
)};
export function typeOf(envelope: Envelope): MessageType { return envelope.type; }
export function sdpOf(invite: EnvelopeOf<'invite'>): string { return invite.sdp; }
export const draft: EnvelopeDraft = { callId: 'c', from: 'a', fromDevice: 'd', to: 'b', type: 'cancel' };
`;

it('type-checks an app using Envelope with skipLibCheck false', { timeout: 120_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'handset-types-'));
  try {
    await writeFile(join(dir, 'app.ts'), APP);
    const compilerOptions = {
      strict: true,
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      target: 'ES2022',
      noEmit: true,
      skipLibCheck: false,
      types: [],
    };
    await writeFile(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['app.ts'] }));
    const result = await run(join(WORKSPACE, 'node_modules/.bin/tsc'), ['-p', dir], dir);
    expect(`${result.stdout}${result.stderr}`).not.toMatch(/TS2589/);
    expect(result.code, result.stdout).toBe(0);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
