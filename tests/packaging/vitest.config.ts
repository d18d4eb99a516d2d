import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'packaging',
    include: ['*.test.ts'],
    // Packing every package and installing the tarballs takes a minute or two on a shared 2-core box.
    testTimeout: 180_000,
    hookTimeout: 600_000,
  },
});
