// The one token format (compact JWT HS256) shared with @handset/adapter-ws/server.
/** @module @handset/adapter-mqtt/broker */
export {
  createToken,
  TokenError,
  type TokenErrorReason,
  type TokenPolicy,
  type TokenSecret,
  type TokenVerification,
  type TurnCredentialOptions,
  turnCredentials,
  verifyToken,
} from '@handset/token';
export {
  type AccessControl,
  type AccessControlHooks,
  type AccessControlOptions,
  createAccessControl,
} from './access-control.js';
export type { AdmissionLimits } from './admission.js';
export {
  type BrokerLimits,
  type BrokerOptions,
  DEFAULT_BROKER_LIMITS,
  type HandsetBroker,
  startBroker,
} from './broker.js';
export { BROKER_REFUSAL_CODES, BrokerRefusal, type BrokerRefusalCode } from './broker-error.js';
export { type BrokerTurnOptions, DEFAULT_BROKER_TURN_TTL_SECONDS } from './turn-grants.js';
