import { defineProject } from 'vitest/config';
import { workspaceAlias } from '../../vitest.workspace-alias.ts';

export default defineProject({
  resolve: { alias: workspaceAlias },
  test: {
    name: 'token',
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    // The real-server tests speak WebSocket with the global client, which Node 20 has behind this flag.
    execArgv: ['--experimental-websocket'],
  },
});
