// The adapter's control protocol (hello, welcome, ice-servers, ping, pong, bye, error, shutdown) and the one place
// that tells a control frame from a call envelope. Call envelopes themselves are validated by core.
import * as v from 'valibot';
import type { SignalingErrorCode } from './signaling-error.js';

/** Control frames carry `kind`; call envelopes never do, which is how the two share one socket. */
const SessionId = v.pipe(v.string(), v.minLength(1), v.maxLength(64), v.regex(/^[A-Za-z0-9_-]+$/));
const Token = v.pipe(v.string(), v.minLength(1), v.maxLength(4096));
const Stamp = v.pipe(v.number(), v.finite());
/** How many envelopes of this session the client has received: the server resends what is past it. */
const Received = v.optional(v.pipe(v.number(), v.integer(), v.minValue(0)));

/** TURN URLs and REST API credentials are short; the bounds keep a hostile server from handing us megabytes. */
const IceText = v.pipe(v.string(), v.minLength(1), v.maxLength(512));
const IceServers = v.pipe(
  v.array(
    v.object({
      urls: v.union([IceText, v.pipe(v.array(IceText), v.minLength(1), v.maxLength(8))]),
      username: v.optional(IceText),
      credential: v.optional(IceText),
    }),
  ),
  v.maxLength(8),
);

const clientFrames = {
  /** First frame of every connection: the credentials and, when resuming, the previous session id. */
  hello: v.object({
    kind: v.literal('hello'),
    token: Token,
    sessionId: v.optional(SessionId),
    received: Received,
  }),
  ping: v.object({ kind: v.literal('ping'), t: Stamp, received: Received }),
  /** Ends the session now: no grace period, the user is offline at once. */
  bye: v.object({ kind: v.literal('bye') }),
};

const serverFrames = {
  welcome: v.object({
    kind: v.literal('welcome'),
    userId: v.string(),
    sessionId: SessionId,
    /** True when the server still had this session and will deliver what it held for it. */
    resumed: v.boolean(),
    graceMs: v.number(),
    /**
     * The ICE servers (TURN with fresh credentials) this server hands its users, when it has a relay.
     * Malformed ones are dropped, not the welcome: the link works without a relay.
     */
    iceServers: v.fallback(v.optional(IceServers), undefined),
  }),
  /** A fresh set of ICE servers before the last one's credentials expire. */
  'ice-servers': v.object({ kind: v.literal('ice-servers'), iceServers: IceServers }),
  pong: v.object({ kind: v.literal('pong'), t: Stamp }),
  error: v.object({
    kind: v.literal('error'),
    code: v.string(),
    message: v.string(),
    /** The id of the envelope this error is about, when there is one. */
    ref: v.optional(v.string()),
  }),
  shutdown: v.object({ kind: v.literal('shutdown'), message: v.string() }),
};

type ClientFrames = { [K in keyof typeof clientFrames]: v.InferOutput<(typeof clientFrames)[K]> };
type ServerFrames = { [K in keyof typeof serverFrames]: v.InferOutput<(typeof serverFrames)[K]> };
export type ClientControlFrame = ClientFrames[keyof ClientFrames];
export type ServerControlFrame = ServerFrames[keyof ServerFrames];
export type ErrorFrame = ServerFrames['error'] & { code: SignalingErrorCode };

/** What one text frame turned out to be. Never throws. */
export type ClassifiedFrame<Control> =
  | { type: 'control'; frame: Control }
  /** Not a control frame: a call envelope (or garbage) for core's `decodeEnvelope` to judge. */
  | { type: 'envelope' }
  | { type: 'invalid-control'; message: string };

function classify<Control>(
  text: string,
  schemas: Record<string, v.GenericSchema<unknown, unknown>>,
): ClassifiedFrame<Control> {
  // Envelopes are the bulk of the traffic; most never need parsing here at all.
  if (!text.includes('"kind"')) return { type: 'envelope' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { type: 'envelope' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value) || !Object.hasOwn(value, 'kind')) {
    return { type: 'envelope' };
  }
  const kind = (value as { kind: unknown }).kind;
  const schema = typeof kind === 'string' && Object.hasOwn(schemas, kind) ? schemas[kind] : undefined;
  if (!schema)
    return { type: 'invalid-control', message: `unknown control frame kind ${String(kind).slice(0, 40)}` };
  const result = v.safeParse(schema, value);
  if (!result.success) {
    const issue = result.issues[0];
    return {
      type: 'invalid-control',
      message: `${kind}: ${v.getDotPath(issue) ?? '(root)'}: ${issue.message}`,
    };
  }
  return { type: 'control', frame: result.output as Control };
}

/** Server side: a frame from a client. */
export function classifyClientFrame(text: string): ClassifiedFrame<ClientControlFrame> {
  return classify(text, clientFrames);
}

/** Client side: a frame from the server. Envelopes stay untouched text for the phone to decode. */
export function classifyServerFrame(text: string): ClassifiedFrame<ServerControlFrame> {
  return classify(text, serverFrames);
}

/**
 * Subprotocols (`Sec-WebSocket-Protocol`) a client offers to log in during the upgrade itself, so the
 * server can welcome it as the socket opens instead of after a `hello` round trip. The token rides in a
 * header, never in the URL (which lands in access logs). The server selects `UPGRADE_AUTH_PROTOCOL` when
 * it took the credentials; a server that does not know them selects the first offer, `HELLO_PROTOCOL`,
 * and the client sends its `hello` as before.
 */
export const HELLO_PROTOCOL = 'handset.v1';
export const UPGRADE_AUTH_PROTOCOL = 'handset.v1.auth';
const TOKEN_PREFIX = 'handset.token.';
const RESUME_PREFIX = 'handset.resume.';

type Hello = ClientFrames['hello'];

/** What a subprotocol may hold (RFC 7230's `token`); browsers and ws refuse to open a socket otherwise. */
const PROTOCOL_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * What a client offers for `hello`'s credentials (a JWT is base64url and dots: a valid protocol token).
 * Nothing for a token a header cannot carry: the client then sends it in a `hello`, which the server
 * refuses with a typed code instead of the socket failing to open.
 */
export function upgradeProtocols(hello: Omit<Hello, 'kind'>): string[] | undefined {
  if (!PROTOCOL_TOKEN.test(hello.token) || hello.token.length > 4096) return undefined;
  const offered = [HELLO_PROTOCOL, UPGRADE_AUTH_PROTOCOL, `${TOKEN_PREFIX}${hello.token}`];
  if (hello.sessionId !== undefined) {
    offered.push(`${RESUME_PREFIX}${hello.sessionId}.${hello.received ?? 0}`);
  }
  return offered;
}

/** True when the offer asks to log in during the upgrade (and carries a token to do it with). */
export function offersUpgradeAuth(offered: ReadonlySet<string>): boolean {
  if (!offered.has(UPGRADE_AUTH_PROTOCOL)) return false;
  for (const protocol of offered) if (protocol.startsWith(TOKEN_PREFIX)) return true;
  return false;
}

/**
 * Server side: the `hello` an upgrade's offered subprotocols amount to, checked like a `hello` frame
 * (one token, at most one resume entry). Never throws.
 */
export function helloOfUpgrade(offered: ReadonlySet<string>): ClassifiedFrame<Hello> {
  let token: string | undefined;
  let resume: string | undefined;
  for (const protocol of offered) {
    if (protocol.startsWith(TOKEN_PREFIX)) {
      if (token !== undefined)
        return { type: 'invalid-control', message: 'hello: more than one token offered' };
      token = protocol.slice(TOKEN_PREFIX.length);
    } else if (protocol.startsWith(RESUME_PREFIX)) {
      if (resume !== undefined)
        return { type: 'invalid-control', message: 'hello: more than one session offered' };
      resume = protocol.slice(RESUME_PREFIX.length);
    }
  }
  const value: Record<string, unknown> = { kind: 'hello', token };
  if (resume !== undefined) {
    // A session id has no dots; what follows the last one is the count of envelopes received.
    const dot = resume.lastIndexOf('.');
    value.sessionId = dot < 0 ? resume : resume.slice(0, dot);
    value.received = dot < 0 ? Number.NaN : Number(resume.slice(dot + 1));
  }
  const result = v.safeParse(clientFrames.hello, value);
  if (!result.success) {
    const issue = result.issues[0];
    return {
      type: 'invalid-control',
      message: `hello: ${v.getDotPath(issue) ?? '(root)'}: ${issue.message}`,
    };
  }
  return { type: 'control', frame: result.output };
}

export function encodeControlFrame(frame: ClientControlFrame | ServerControlFrame): string {
  return JSON.stringify(frame);
}

export function errorFrame(code: SignalingErrorCode, message: string, ref?: string): string {
  return encodeControlFrame(
    ref === undefined ? { kind: 'error', code, message } : { kind: 'error', code, message, ref },
  );
}
