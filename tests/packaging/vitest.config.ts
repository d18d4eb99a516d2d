import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'packaging',
    include: ['*.test.ts'],
    // Packing, installing and type-checking every package, and the TypeDoc build, each take minutes of CPU:
    // one file at a time, after every other project (group 0) is done, so they never starve a timed test.
    fileParallelism: false,
    sequence: { groupOrder: 1 },
    testTimeout: 180_000,
    hookTimeout: 600_000,
  },
});
