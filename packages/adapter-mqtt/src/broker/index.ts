// The one token format (compact JWT HS256) shared with @handset/adapter-ws/server.
export {
  createToken,
  TokenError,
  type TokenErrorReason,
  type TokenSecret,
  type TokenVerification,
  verifyToken,
} from '@handset/token';
export { type AccessControlHooks, type AccessControlOptions, createAccessControl } from './access-control.js';
export { type BrokerOptions, type HandsetBroker, startBroker } from './broker.js';
export { BrokerRefusal, type BrokerRefusalCode } from './broker-error.js';
