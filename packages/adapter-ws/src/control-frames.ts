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

export function encodeControlFrame(frame: ClientControlFrame | ServerControlFrame): string {
  return JSON.stringify(frame);
}

export function errorFrame(code: SignalingErrorCode, message: string, ref?: string): string {
  return encodeControlFrame(
    ref === undefined ? { kind: 'error', code, message } : { kind: 'error', code, message, ref },
  );
}
