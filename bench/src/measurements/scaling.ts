import type { Measurement } from '../harness/section.js';

export const scaling: Measurement = {
  name: 'scaling',
  run: () => Promise.reject(new Error('not written yet')),
};
