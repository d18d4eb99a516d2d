import { defineProject } from 'vitest/config';
import { workspaceAlias } from '../../vitest.workspace-alias.ts';

export default defineProject({
  resolve: { alias: workspaceAlias },
  test: {
    name: 'react',
    include: ['test/**/*.test.{ts,tsx}'],
    environment: 'happy-dom',
    testTimeout: 30_000,
  },
});
