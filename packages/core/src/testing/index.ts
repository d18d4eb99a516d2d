// `@handset/core/testing`: runner-free test doubles — a fake peer connection and media, an in-memory signaling
// network, transport probes. The vitest conformance suite is `@handset/core/conformance`.
/** @module @handset/core/testing */
export {
  createFakeMedia,
  createFakePeerConnections,
  FakeDataChannel,
  type FakeMedia,
  FakeMediaStream,
  FakePeerConnection,
  type FakePeerConnectionOptions,
  type FakePeerConnections,
  FakeSender,
  FakeTrack,
  FakeTransceiver,
} from './fake-peer-connection.js';
export { createMemoryNetwork, type MemoryNetwork, type MemoryTransport } from './memory-network.js';
export { ringingFrom, waitOpen } from './transport-probes.js';
