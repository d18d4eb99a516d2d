import { defineProject } from 'vitest/config';
import { workspaceAlias } from '../../vitest.workspace-alias.ts';

export default defineProject({
  // The signaling server from source; the examples themselves are built by Vite from the packages' dist,
  // as an app would use them.
  resolve: { alias: workspaceAlias },
  test: {
    name: 'examples',
    include: ['*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
