// @handset/adapter-ws: the browser-safe client transport. The Node server is @handset/adapter-ws/server.
/** @module @handset/adapter-ws */

export {
  createDefaultReconnectPolicy,
  DEFAULT_RETRY_DELAYS_MS,
  type DefaultReconnectPolicyOptions,
  type ReconnectContext,
  type ReconnectPolicy,
  type TokenSource,
  TransportError,
  type TransportErrorReason,
} from '@handset/core';
export { CLOSE_CODES, type CloseCode } from './close-codes.js';
export { SignalingError, type SignalingErrorCode } from './signaling-error.js';
export {
  createWsTransport,
  type WebSocketConstructor,
  type WebSocketLike,
  type WsTransport,
  type WsTransportOptions,
} from './ws-transport.js';
