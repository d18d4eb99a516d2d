import type { Measurement } from '../harness/section.js';

export const mqttRelay: Measurement = {
  name: 'mqtt',
  run: () => Promise.reject(new Error('not written yet')),
};
