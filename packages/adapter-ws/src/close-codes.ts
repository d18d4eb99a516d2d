// The WebSocket close codes the signaling server uses, named once so client and server agree.

export const CLOSE_CODES = {
  /** The client said `bye`, or the server closed a connection that was replaced. */
  normal: 1000,
  /** The server is going away for good. */
  goingAway: 1001,
  /** Policy violation: handshake timeout or missing, too many connections, persistent rate abuse or bad frames. */
  policyViolation: 1008,
  /** A frame larger than the server's `maxFrameBytes`. */
  messageTooBig: 1009,
  /** The server is restarting (graceful shutdown): reconnect. */
  serviceRestart: 1012,
  /** Too many connections are waiting to log in; this pending one was evicted. Retry with backoff. */
  tryAgainLater: 1013,
  /** The token was refused: do not retry with the same token. */
  authRefused: 4001,
  /** A newer connection resumed this session (the old link was probably dead). */
  sessionTakenOver: 4002,
  /** The token expired while the link was open: reconnect with a fresh token (the session resumes). */
  tokenExpired: 4003,
  /** The client did not read what the server sent (`maxBufferedBytes` waiting): reconnect. */
  slowConsumer: 4008,
} as const;

export type CloseCode = (typeof CLOSE_CODES)[keyof typeof CLOSE_CODES];
