export { type AccessControlHooks, type AccessControlOptions, createAccessControl } from './access-control.js';
export { type BrokerOptions, type HandsetBroker, startBroker } from './broker.js';
export { BrokerRefusal, type BrokerRefusalCode } from './broker-error.js';
export { createToken, type TokenSecret, type TokenVerification, verifyToken } from './token.js';
