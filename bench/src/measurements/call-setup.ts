import type { Measurement } from '../harness/section.js';

export const callSetup: Measurement = {
  name: 'calls',
  run: () => Promise.reject(new Error('not written yet')),
};
