import { defineProject } from 'vitest/config';
import { workspaceAlias } from '../../vitest.workspace-alias.ts';

export default defineProject({
  resolve: { alias: workspaceAlias },
  test: {
    name: 'adapter-ws',
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // msw intercepts only the global WebSocket, which Node 20 has behind this flag.
    execArgv: ['--experimental-websocket'],
  },
});
