// `@handset/core`: the public API — `createPhone` and what it takes and gives. The statechart itself is
// `@handset/core/machine`; runner-free fakes are `@handset/core/testing`; the vitest transport suite is
// `@handset/core/conformance`. Transport authors' link runner is `@handset/core/link`; servers' origin
// allow-list is `@handset/core/server`.
/** @module @handset/core */
export { type CallDirection, type CallTimeouts, DEFAULT_TIMEOUTS } from './call/context.js';
export type { CallStats, ConnectionPath, KindStats, MediaKind } from './call-stats.js';
// Named, not `*`: call-view.ts also holds the phone's own helpers (isIn, sameCallView), which are internal.
export {
  type CallState,
  type CallView,
  callStateOf,
  callViewOf,
  defaultMediaState,
  type HoldState,
} from './call-view.js';
export * from './end-reason.js';
export * from './errors.js';
export type { TokenSource } from './link/index.js';
export * from './logger.js';
export * from './phone.js';
export * from './ports.js';
// Not utf8Length/metadataProblem: the phone's own checks, answered through HandsetError.
export {
  type CallMetadata,
  createEnvelope,
  type DecodeResult,
  decodeEnvelope,
  type Envelope,
  type EnvelopeDraft,
  type EnvelopeOf,
  encodeEnvelope,
  HANGUP_REASONS,
  type HangupReason,
  type IceCandidateInit,
  isValidId,
  type JsonValue,
  MESSAGE_TYPES,
  type MediaKinds,
  type MediaState,
  type MessageType,
  PROTOCOL_LIMITS,
  PROTOCOL_VERSION,
  REJECT_REASONS,
  type RejectReason,
  type SessionDescription,
  validateEnvelope,
} from './protocol.js';
export * from './quality.js';
export * from './reconnect-policy.js';
export * from './transport.js';
export {
  isTransportError,
  TRANSPORT_ERRORS,
  TransportError,
  type TransportErrorOptions,
  type TransportErrorReason,
} from './transport-error.js';
export { RESERVED_DEVICE_IDS, unavailableReplyTo } from './unavailable-reply.js';
