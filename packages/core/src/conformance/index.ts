// `@handset/core/conformance`: the signaling transport contract as a vitest suite, for adapter authors.
// It imports vitest; the runner-free fakes and probes are `@handset/core/testing`.
/** @module @handset/core/conformance */
export {
  describeRefusedCredentials,
  describeSignalingTransport,
  type RefusalHarness,
  type TransportHarness,
} from './transport-conformance.js';
