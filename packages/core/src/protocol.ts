// The signaling protocol: message types, version, limits, and the one validator that turns untrusted
// input into a typed envelope or a typed error. Nothing else parses an envelope; adapters parse only their
// own control frames (adapter-ws's `control-frames.ts`) and the token package its own tokens.
import * as v from 'valibot';
import { checkEnvelope } from './envelope-check.js';
import type { Envelope, IceCandidateInit, MediaState, MessageType } from './envelope-types.js';
import { HandsetError } from './errors.js';

export type {
  Envelope,
  EnvelopeHeader,
  IceCandidateInit,
  MediaKinds,
  MediaState,
  MessageType,
} from './envelope-types.js';

export const PROTOCOL_VERSION = 1;

/** Limits that keep one hostile peer from costing the others memory or time. */
export const PROTOCOL_LIMITS = {
  /** A whole frame, as text. SDP for audio+video with simulcast stays well below this. */
  maxFrameBytes: 64 * 1024,
  maxSdpLength: 48 * 1024,
  maxIdLength: 128,
  maxCandidatesPerMessage: 64,
  maxCandidateLength: 1024,
  /** Longest invite lifetime a callee accepts (10 minutes): a ring cannot be made to last forever. */
  maxInviteLifetimeMs: 10 * 60 * 1000,
  /** An invite's `metadata`, as JSON (UTF-8 bytes): app data rides along, it is not a payload channel. */
  maxMetadataBytes: 4096,
  /** Nesting of an invite's `metadata`: a validator must not recurse as deep as a hostile peer likes. */
  maxMetadataDepth: 16,
  /** One in-call message (data channel frame), UTF-8 bytes: the size every browser's SCTP sends whole. */
  maxCallMessageBytes: 16 * 1024,
} as const;

/** A JSON value, as an app attaches it to a call (`makeCall(..., { metadata })`). */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** What a caller attaches to an invite; the callee reads it on `incoming-call` and in the call view. */
export type CallMetadata = JsonValue;

/**
 * Why a value is not call metadata (not plain JSON, nested deeper than `maxMetadataDepth`, or over
 * `maxMetadataBytes` as JSON), or null if it is. Walks without recursion and never calls the value's
 * own methods (a getter or `toJSON` of an app's object is not run before the depth check).
 */
export function metadataProblem(value: unknown): string | null {
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 1 }];
  while (stack.length > 0) {
    const { value: item, depth } = stack.pop()!;
    if (item === null || typeof item === 'string' || typeof item === 'boolean') continue;
    if (typeof item === 'number') {
      if (!Number.isFinite(item)) return 'numbers must be finite';
      continue;
    }
    if (typeof item !== 'object') return `a value of type ${typeof item} is not JSON`;
    if (depth > PROTOCOL_LIMITS.maxMetadataDepth) {
      return `nested deeper than ${PROTOCOL_LIMITS.maxMetadataDepth} levels`;
    }
    const prototype = Object.getPrototypeOf(item);
    if (Array.isArray(item)) {
      for (const element of item) stack.push({ value: element, depth: depth + 1 });
    } else if (prototype === Object.prototype || prototype === null) {
      for (const key of Object.keys(item)) {
        const descriptor = Object.getOwnPropertyDescriptor(item, key);
        if (!descriptor || !('value' in descriptor)) return 'accessor properties are not JSON';
        stack.push({ value: descriptor.value, depth: depth + 1 });
      }
    } else return 'only plain objects and arrays are JSON';
  }
  const size = utf8Length(JSON.stringify(value));
  if (size > PROTOCOL_LIMITS.maxMetadataBytes) {
    return `${size} bytes as JSON, over ${PROTOCOL_LIMITS.maxMetadataBytes}`;
  }
  return null;
}

const Metadata = v.custom<CallMetadata>(
  (value) => metadataProblem(value) === null,
  'metadata must be JSON of at most maxMetadataBytes, nested at most maxMetadataDepth deep',
);

const Id = v.pipe(
  v.string(),
  v.minLength(1),
  v.maxLength(PROTOCOL_LIMITS.maxIdLength),
  // Printable ASCII without spaces, "/", "+" or "#": ids end up as MQTT topic levels, in logs and URLs.
  v.regex(/^[\x21-\x7e]+$/, 'ids are printable ASCII without spaces'),
  v.regex(/^[^/+#]+$/, 'ids cannot contain "/", "+" or "#"'),
);
const Sdp = v.pipe(v.string(), v.minLength(1), v.maxLength(PROTOCOL_LIMITS.maxSdpLength));

const Header = {
  v: v.literal(PROTOCOL_VERSION),
  /** Unique per message; lets transports de-duplicate and resend. */
  id: Id,
  callId: Id,
  /** The sending user. A server, where there is one, overwrites it with the authenticated id. */
  from: Id,
  fromDevice: Id,
  to: Id,
  /** Set once a call is bound to one of the addressee's devices; other devices ignore the message. */
  toDevice: v.optional(Id),
  /** Time the message spent held in transit (queued by a server or broker), added by the transport. */
  ageMs: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
};

const MediaKinds = v.object({ audio: v.boolean(), video: v.boolean() });

/** What one side sends and shows of its media (see `media-state`). */
const MediaStateSchema = v.object({
  microphone: v.boolean(),
  camera: v.boolean(),
  screen: v.boolean(),
  held: v.boolean(),
  /** The side's call carries video at all (false in an audio-only call). */
  video: v.boolean(),
});

const IceCandidate = v.object({
  candidate: v.pipe(v.string(), v.maxLength(PROTOCOL_LIMITS.maxCandidateLength)),
  sdpMid: v.nullish(v.pipe(v.string(), v.maxLength(64))),
  sdpMLineIndex: v.nullish(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(1024))),
  usernameFragment: v.nullish(v.pipe(v.string(), v.maxLength(256))),
});

export const REJECT_REASONS = ['declined', 'busy'] as const;
export const HANGUP_REASONS = [
  'normal',
  'connection-failed',
  'negotiation-failed',
  'protocol-error',
  'media-failed',
] as const;

const messages = {
  invite: v.object({
    ...Header,
    type: v.literal('invite'),
    sdp: Sdp,
    media: MediaKinds,
    lifetimeMs: v.pipe(
      v.number(),
      v.integer(),
      v.minValue(1),
      v.maxValue(PROTOCOL_LIMITS.maxInviteLifetimeMs),
    ),
    /** The caller's app data (PeerJS's `metadata`), bounded. */
    metadata: v.optional(Metadata),
  }),
  ringing: v.object({ ...Header, type: v.literal('ringing') }),
  answer: v.object({ ...Header, type: v.literal('answer'), sdp: Sdp }),
  'answer-selected': v.object({ ...Header, type: v.literal('answer-selected'), selectedDevice: Id }),
  candidates: v.object({
    ...Header,
    type: v.literal('candidates'),
    candidates: v.pipe(v.array(IceCandidate), v.maxLength(PROTOCOL_LIMITS.maxCandidatesPerMessage)),
    /** True on the last batch: the sender has gathered every candidate (end-of-candidates). */
    end: v.boolean(),
  }),
  reject: v.object({ ...Header, type: v.literal('reject'), reason: v.picklist(REJECT_REASONS) }),
  cancel: v.object({ ...Header, type: v.literal('cancel') }),
  hangup: v.object({ ...Header, type: v.literal('hangup'), reason: v.picklist(HANGUP_REASONS) }),
  negotiate: v.object({
    ...Header,
    type: v.literal('negotiate'),
    description: v.object({ type: v.picklist(['offer', 'answer']), sdp: Sdp }),
    iceRestart: v.boolean(),
  }),
  /**
   * A side's microphone, camera, screen share and hold, on entering `connected` (if not the default) and on
   * every change; `seq` grows per call and sender, so an older one delivered late is ignored.
   */
  'media-state': v.object({
    ...Header,
    type: v.literal('media-state'),
    seq: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(Number.MAX_SAFE_INTEGER)),
    state: MediaStateSchema,
  }),
  /** Sent by a transport on behalf of an addressee it knows to be offline. */
  unavailable: v.object({ ...Header, type: v.literal('unavailable') }),
};

export const MESSAGE_TYPES = Object.keys(messages) as MessageType[];

const EnvelopeSchema = v.variant(
  'type',
  Object.values(messages) as [(typeof messages)[MessageType], ...(typeof messages)[MessageType][]],
);

export type EnvelopeOf<T extends MessageType> = Extract<Envelope, { type: T }>;

/** Both ways assignable, with the same keys: the declared types (envelope-types.ts) say what the schemas accept, no more, no less. */
type SameType<A, B> = [A] extends [B]
  ? [B] extends [A]
    ? // Mutual assignability lets an extra optional field through: the keys must match too.
      [keyof A] extends [keyof B]
      ? [keyof B] extends [keyof A]
        ? true
        : false
      : false
    : false
  : false;
type Inferred = v.InferOutput<typeof EnvelopeSchema>;
type DeclaredVersusSchema = {
  [T in MessageType]: SameType<EnvelopeOf<T>, Extract<Inferred, { type: T }>>;
} & {
  types: SameType<keyof typeof messages, MessageType>;
  media: SameType<MediaState, v.InferOutput<typeof MediaStateSchema>>;
  candidate: SameType<IceCandidateInit, v.InferOutput<typeof IceCandidate>>;
};
// Fails to compile (true is not false) when a declared type and its schema drift apart.
type AllSame = false extends DeclaredVersusSchema[keyof DeclaredVersusSchema] ? false : true;
const declaredTypesMatchSchemas: AllSame = true;
void declaredTypesMatchSchemas;

export type RejectReason = (typeof REJECT_REASONS)[number];
export type HangupReason = (typeof HANGUP_REASONS)[number];
export type SessionDescription = { type: 'offer' | 'answer'; sdp: string };

/** What a sender fills in; `v` and `id` are added by {@link createEnvelope}. */
export type EnvelopeDraft = Envelope extends infer E
  ? E extends Envelope
    ? Omit<E, 'v' | 'id'>
    : never
  : never;

export type DecodeResult = { ok: true; envelope: Envelope } | { ok: false; error: HandsetError };

/** Whether a string may serve as a user, device, call or message id (the same rule the validator applies). */
export function isValidId(id: unknown): id is string {
  return v.is(Id, id);
}

function isMessageType(type: unknown): type is MessageType {
  return typeof type === 'string' && Object.hasOwn(messages, type);
}

function describeIssues(issues: readonly v.BaseIssue<unknown>[]): string {
  return issues
    .slice(0, 3)
    .map((issue) => `${v.getDotPath(issue) ?? '(root)'}: ${issue.message}`)
    .join('; ');
}

/**
 * A short, safe rendering of a hostile value for an error message: primitives as JSON, anything else by
 * its kind (an object's own `toString` or `toJSON` is never called).
 */
function describeValue(value: unknown): string {
  if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) {
    return JSON.stringify(value).slice(0, 40);
  }
  return Array.isArray(value) ? 'an array' : `a value of type ${typeof value}`;
}

/**
 * Validates an already-parsed value. Never throws: anything that is not a valid envelope of this
 * version comes back as a typed error saying which rule it broke.
 */
export function validateEnvelope(value: unknown): DecodeResult {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail('invalid-envelope', 'an envelope must be a JSON object');
  }
  const record = value as Record<string, unknown>;
  if (record.v !== PROTOCOL_VERSION) {
    return fail(
      'unsupported-version',
      `protocol version ${describeValue(record.v)} is not ${PROTOCOL_VERSION}`,
    );
  }
  if (!isMessageType(record.type)) {
    return fail('unknown-type', `unknown message type ${describeValue(record.type)}`);
  }
  // The hand-written check accepts what the schema does, faster; what it refuses, the schema judges.
  const checked = checkEnvelope(record, record.type);
  if (checked) return { ok: true, envelope: checked };
  const result = v.safeParse(messages[record.type], value);
  if (!result.success) return fail('invalid-envelope', `${record.type}: ${describeIssues(result.issues)}`);
  return { ok: true, envelope: result.output as Envelope };
}

/**
 * What the schema of `type` alone makes of `value` (the envelope, or null when it refuses it): the
 * reference the hand-written check (`envelope-check.ts`) is tested against. Internal.
 */
export function schemaEnvelope(type: MessageType, value: unknown): Envelope | null {
  const result = v.safeParse(messages[type], value);
  return result.success ? (result.output as Envelope) : null;
}

/** UTF-8 length of a string, counted without encoding it (no TextEncoder needed on any platform). */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      // A surrogate pair is one 4-byte code point; a lone surrogate is sent as U+FFFD (3 bytes).
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

/**
 * Parses and validates one text frame from the network. Never throws. `byteLength` is the frame's UTF-8
 * size when the caller already has it (a server holding the received bytes): it is not counted again.
 */
export function decodeEnvelope(frame: string, byteLength?: number): DecodeResult {
  // The limit is in bytes: a frame of multi-byte characters can be 3x its length on the wire. Counting
  // is skipped for frames already too long in characters (each is at least one byte).
  const size =
    byteLength ?? (frame.length > PROTOCOL_LIMITS.maxFrameBytes ? frame.length : utf8Length(frame));
  if (size > PROTOCOL_LIMITS.maxFrameBytes) {
    return fail('oversize', `frame of at least ${size} bytes exceeds ${PROTOCOL_LIMITS.maxFrameBytes}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(frame);
  } catch (cause) {
    return fail('malformed-json', 'frame is not valid JSON', cause);
  }
  return validateEnvelope(value);
}

export function encodeEnvelope(envelope: Envelope): string {
  return JSON.stringify(envelope);
}

export function createEnvelope(draft: EnvelopeDraft, id: string): Envelope {
  return { v: PROTOCOL_VERSION, id, ...draft } as Envelope;
}

function fail(
  code: Parameters<typeof HandsetError.protocol>[0],
  message: string,
  cause?: unknown,
): DecodeResult {
  return { ok: false, error: HandsetError.protocol(code, message, cause) };
}
