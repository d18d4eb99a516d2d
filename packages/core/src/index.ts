// `@handset/core`: the public API — `createPhone` and what it takes and gives. The statechart itself is
// `@handset/core/machine`; runner-free fakes are `@handset/core/testing`; the vitest transport suite is
// `@handset/core/conformance`.
/** @module @handset/core */
export { type CallDirection, type CallTimeouts, DEFAULT_TIMEOUTS } from './call/context.js';
export type { CallStats, ConnectionPath, KindStats, MediaKind } from './call-stats.js';
export * from './call-view.js';
export * from './end-reason.js';
export * from './errors.js';
export * from './link/index.js';
export * from './logger.js';
export * from './origin-policy.js';
export * from './phone.js';
export * from './ports.js';
export * from './protocol.js';
export * from './quality.js';
export * from './reconnect-policy.js';
export * from './transport.js';
export * from './transport-error.js';
export { RESERVED_DEVICE_IDS, unavailableReplyTo } from './unavailable-reply.js';
