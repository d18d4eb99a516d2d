import { defineProject } from 'vitest/config';
import { workspaceAlias } from '../../vitest.workspace-alias.ts';

export default defineProject({
  resolve: { alias: workspaceAlias },
  test: {
    name: 'token',
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
  },
});
