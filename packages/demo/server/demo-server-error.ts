// Why the demo server could not start, as a closed set of codes: `npm start` turns each into a sentence
// that says what to change, instead of a stack trace.

export type DemoServerErrorCode =
  /** Another program listens on the port (often a demo that is still running). */
  | 'port-in-use'
  /** The address is not one of this machine's (a wrong HANDSET_HOST). */
  | 'address-unavailable'
  /** Any other failure to listen (e.g. a port below 1024 without the right). */
  | 'listen-failed';

export class DemoServerError extends Error {
  readonly code: DemoServerErrorCode;
  /** Which listener failed, so the message can name its environment variable. */
  readonly listener: 'http' | 'https';
  readonly host: string;
  readonly port: number;

  constructor(
    code: DemoServerErrorCode,
    where: { listener: 'http' | 'https'; host: string; port: number },
    options?: { cause?: unknown },
  ) {
    super(`${where.listener} listener on ${where.host}:${where.port}: ${code}`, options);
    this.name = 'DemoServerError';
    this.code = code;
    this.listener = where.listener;
    this.host = where.host;
    this.port = where.port;
  }

  /** The error for a failed `listen()`, from Node's error code. */
  static fromListen(error: unknown, where: { listener: 'http' | 'https'; host: string; port: number }) {
    const nodeCode = (error as NodeJS.ErrnoException | null)?.code;
    const code: DemoServerErrorCode =
      nodeCode === 'EADDRINUSE'
        ? 'port-in-use'
        : nodeCode === 'EADDRNOTAVAIL'
          ? 'address-unavailable'
          : 'listen-failed';
    return new DemoServerError(code, where, { cause: error });
  }
}
