import { defineProject } from 'vitest/config';
import { workspaceAlias } from '../../vitest.workspace-alias.ts';

export default defineProject({
  resolve: { alias: workspaceAlias },
  test: {
    name: 'demo',
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // One Chromium and one demo server per file; two cores are shared, so files run one at a time.
    fileParallelism: false,
  },
});
