import { defineProject } from 'vitest/config';
import { workspaceAlias } from '../../vitest.workspace-alias.ts';

export default defineProject({
  resolve: { alias: workspaceAlias },
  test: {
    name: 'node',
    include: ['test/**/*.test.ts'],
    // werift does ICE + DTLS in TypeScript on a shared 2-core machine: each step is quick alone, slow under load.
    testTimeout: 60_000,
    hookTimeout: 30_000,
  },
});
