/**
 * Handset's signed, expiring user tokens: compact JWTs (HS256) that the WebSocket server and the MQTT
 * brokers accept, and TURN REST credentials. Node only.
 * @module @handset/token
 */
export {
  checkTokenPolicy,
  createToken,
  DEFAULT_TOKEN_POLICY,
  type TokenPolicy,
  type TokenSecret,
  type TokenVerification,
  verifyToken,
} from './token.js';
export { TOKEN_ERROR_REASONS, TokenError, type TokenErrorReason } from './token-error.js';
export { type TurnCredentialOptions, turnCredentials } from './turn-credentials.js';
