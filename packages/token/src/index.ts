export { createToken, type TokenSecret, type TokenVerification, verifyToken } from './token.js';
export { TokenError, type TokenErrorReason } from './token-error.js';
