// Tests import the workspace packages from source, so no build is needed before `vitest`.
import { fileURLToPath } from 'node:url';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export const workspaceAlias = [
  { find: /^@handset\/core$/, replacement: here('./packages/core/src/index.ts') },
  { find: /^@handset\/core\/testing$/, replacement: here('./packages/core/src/testing/index.ts') },
  { find: /^@handset\/core\/conformance$/, replacement: here('./packages/core/src/conformance/index.ts') },
  { find: /^@handset\/core\/machine$/, replacement: here('./packages/core/src/call/index.ts') },
  { find: /^@handset\/core\/link$/, replacement: here('./packages/core/src/link/index.ts') },
  { find: /^@handset\/core\/server$/, replacement: here('./packages/core/src/server/index.ts') },
  { find: /^@handset\/adapter-ws$/, replacement: here('./packages/adapter-ws/src/index.ts') },
  { find: /^@handset\/adapter-ws\/server$/, replacement: here('./packages/adapter-ws/src/server/index.ts') },
  { find: /^@handset\/adapter-mqtt$/, replacement: here('./packages/adapter-mqtt/src/index.ts') },
  {
    find: /^@handset\/adapter-mqtt\/broker$/,
    replacement: here('./packages/adapter-mqtt/src/broker/index.ts'),
  },
  { find: /^@handset\/token$/, replacement: here('./packages/token/src/index.ts') },
  { find: /^@handset\/inspector$/, replacement: here('./packages/inspector/src/index.ts') },
  { find: /^@handset\/node$/, replacement: here('./packages/node/src/index.ts') },
  { find: /^@handset\/test-support$/, replacement: here('./packages/test-support/src/index.ts') },
  {
    find: /^@handset\/test-support\/turn-server$/,
    replacement: here('./packages/test-support/src/turn-server.ts'),
  },
];
