export {
  createFakeMedia,
  createFakePeerConnections,
  type FakeMedia,
  FakeMediaStream,
  FakePeerConnection,
  type FakePeerConnectionOptions,
  type FakePeerConnections,
  FakeTrack,
} from './fake-peer-connection.js';
export { createMemoryNetwork, type MemoryNetwork, type MemoryTransport } from './memory-network.js';
export {
  describeRefusedCredentials,
  describeSignalingTransport,
  type RefusalHarness,
  ringingFrom,
  type TransportHarness,
  waitOpen,
} from './transport-conformance.js';
