// @handset/adapter-ws/server: the Node signaling server and its token helpers.
/** @module @handset/adapter-ws/server */

// Device ids the server refuses from clients (core's; the MQTT broker and transport refuse the same).
export { RESERVED_DEVICE_IDS } from '@handset/core';
// The one token format (compact JWT HS256) shared with @handset/adapter-mqtt/broker.
export {
  createToken,
  TokenError,
  type TokenErrorReason,
  type TokenPolicy,
  type TokenSecret,
  type TokenVerification,
  turnCredentials,
  verifyToken,
} from '@handset/token';
export { CLOSE_CODES, type CloseCode } from '../close-codes.js';
export { SignalingError, type SignalingErrorCode } from '../signaling-error.js';
export type { ClusterFrameErrorCode } from './cluster-frame.js';
export {
  DEFAULT_LIMITS,
  type RedisClusterOptions,
  type SignalServerLimits,
  type SignalServerOptions,
} from './options.js';
export { DEV_ALLOWED_ORIGINS } from './origin-policy.js';
export { type HealthReport, type SignalServer, startSignalServer } from './signal-server.js';
export { DEFAULT_TURN_TTL_SECONDS, type TurnRelayOptions } from './turn-relay.js';
