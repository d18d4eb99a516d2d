// The credentials a transport presents, as both transports accept them: a fixed token, or a function
// asked again before every connection attempt (so a refreshed token is picked up on reconnect).
import { TransportError } from '../transport-error.js';

export type TokenSource = string | (() => string | Promise<string>);

export type ResolvedToken = { ok: true; token: string } | { ok: false; error: TransportError };

/** A fixed empty token can never work: it is a configuration error, found before any connection. */
export function tokenSourceProblem(source: TokenSource | undefined): TransportError | null {
  if (source === undefined || typeof source === 'function') return null;
  if (typeof source === 'string' && source.length > 0) return null;
  return TransportError.of('invalid-configuration', 'token must be a non-empty string or a function');
}

/** Asks the source for a token. Never throws: a failing supplier is `token-unavailable` (worth retrying). */
export async function resolveToken(source: TokenSource): Promise<ResolvedToken> {
  const problem = tokenSourceProblem(source);
  if (problem) return { ok: false, error: problem };
  try {
    const token = typeof source === 'string' ? source : await source();
    if (typeof token === 'string' && token.length > 0) return { ok: true, token };
    return {
      ok: false,
      error: TransportError.of('token-unavailable', 'the token supplier returned no non-empty string'),
    };
  } catch (cause) {
    return {
      ok: false,
      error: TransportError.of('token-unavailable', 'the token supplier failed', { cause }),
    };
  }
}
