export { createMemoryNetwork, type MemoryNetwork, type MemoryTransport } from './memory-network.js';
export {
  describeSignalingTransport,
  ringingFrom,
  waitOpen,
  type TransportHarness,
} from './transport-conformance.js';
