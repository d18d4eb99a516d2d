// The one error type Handset throws or reports: a closed set of codes, a human message, and the cause.

/** Every code a HandsetError can carry. */
export type HandsetErrorCode =
  /** A frame that is not JSON. */
  | 'malformed-json'
  /** JSON that is not a Handset envelope (missing or wrong fields). */
  | 'invalid-envelope'
  /** An envelope of a protocol version this build does not speak. */
  | 'unsupported-version'
  /** An envelope whose `type` this build does not know. */
  | 'unknown-type'
  /** A frame larger than the protocol allows. */
  | 'oversize'
  /** A public method called in a state where it means nothing (answer with no incoming call...). */
  | 'invalid-state'
  /** An argument that can never be valid (an empty peer id...). */
  | 'invalid-argument'
  /** The signaling transport failed in a way the caller must hear about. */
  | 'transport'
  /** Credentials (a token) were refused: malformed, badly signed, expired. */
  | 'unauthenticated'
  /** A remote ICE candidate the peer connection refused; the call goes on without it. */
  | 'candidate-rejected'
  /** Remote candidates beyond what a call buffers before its remote description; the call goes on. */
  | 'candidates-dropped'
  /** A port (peer-connection factory, getUserMedia, transport send) threw; the call it served ended. */
  | 'port-failed'
  /** A relay-only call got no TURN candidate (credentials wrong or expired, relay unreachable); it ends `connection-failed`. */
  | 'turn-refused'
  /** An in-call message over `PROTOCOL_LIMITS.maxCallMessageBytes`: refused when sent, dropped when received. */
  | 'message-too-large'
  /** A microphone or camera ended mid-call (unplugged); the call goes on with it off. */
  | 'device-lost'
  /** getDisplayMedia was refused or failed; the call goes on without sharing. */
  | 'screen-share-failed'
  /** getUserMedia for a device switch or camera on was refused; the call goes on with the old device / camera off. */
  | 'device-failed';

/** Codes that describe bad input from the network. */
export type ProtocolErrorCode = Extract<
  HandsetErrorCode,
  'malformed-json' | 'invalid-envelope' | 'unsupported-version' | 'unknown-type' | 'oversize'
>;

/**
 * Handset's one error class: a `code` from the closed `HandsetErrorCode` union, a message and an optional
 * `cause`.
 */
export class HandsetError extends Error {
  override readonly name: string = 'HandsetError';
  readonly code: HandsetErrorCode;

  constructor(code: HandsetErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }

  static protocol(code: ProtocolErrorCode, message: string, cause?: unknown): HandsetError {
    return new HandsetError(code, message, { cause });
  }

  static invalidState(message: string): HandsetError {
    return new HandsetError('invalid-state', message);
  }

  static invalidArgument(message: string): HandsetError {
    return new HandsetError('invalid-argument', message);
  }
}

/** True for the codes that mean bad input from the network (malformed, oversized, wrong version or shape). */
export function isProtocolError(error: HandsetError): error is HandsetError & { code: ProtocolErrorCode } {
  return (
    error.code === 'malformed-json' ||
    error.code === 'invalid-envelope' ||
    error.code === 'unsupported-version' ||
    error.code === 'unknown-type' ||
    error.code === 'oversize'
  );
}
