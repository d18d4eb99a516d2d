// The envelope schemas of protocol.ts written out by hand, for speed: a server validates every envelope it
// relays, and valibot's generic walk cost more than JSON.parse. Accepts a subset of what the schemas accept
// and returns what they would return; anything it does not accept goes to the schemas, which decide.
import type { Envelope, MessageType } from './envelope-types.js';
import {
  HANGUP_REASONS,
  metadataProblem,
  PROTOCOL_LIMITS,
  PROTOCOL_VERSION,
  REJECT_REASONS,
} from './protocol.js';

type Fields = Record<string, unknown>;

/** valibot's `key in input`: a key counts when present, whatever its value. */
const has = (record: Fields, key: string): boolean => key in record;

function isId(value: unknown): value is string {
  if (typeof value !== 'string' || value.length === 0 || value.length > PROTOCOL_LIMITS.maxIdLength) {
    return false;
  }
  for (let i = 0; i < value.length; i += 1) {
    const code = value.charCodeAt(i);
    // Printable ASCII without spaces, "/" (0x2f), "+" (0x2b) or "#" (0x23): the schema's two regexes.
    if (code < 0x21 || code > 0x7e || code === 0x2f || code === 0x2b || code === 0x23) return false;
  }
  return true;
}

const isSdp = (value: unknown): value is string =>
  typeof value === 'string' && value.length >= 1 && value.length <= PROTOCOL_LIMITS.maxSdpLength;

const isInteger = (value: unknown, min: number, max: number): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;

const isObject = (value: unknown): value is Fields => typeof value === 'object' && value !== null;

/** `v.nullish(v.pipe(v.string(), v.maxLength(max)))`. */
const isNullishText = (value: unknown, max: number): boolean =>
  value === undefined || value === null || (typeof value === 'string' && value.length <= max);

function candidateOf(item: unknown): Fields | null {
  if (!isObject(item)) return null;
  const { candidate } = item;
  if (typeof candidate !== 'string' || candidate.length > PROTOCOL_LIMITS.maxCandidateLength) return null;
  const out: Fields = { candidate };
  if (has(item, 'sdpMid')) {
    if (!isNullishText(item.sdpMid, 64)) return null;
    out.sdpMid = item.sdpMid;
  }
  if (has(item, 'sdpMLineIndex')) {
    const index = item.sdpMLineIndex;
    if (index !== undefined && index !== null && !isInteger(index, 0, 1024)) return null;
    out.sdpMLineIndex = index;
  }
  if (has(item, 'usernameFragment')) {
    if (!isNullishText(item.usernameFragment, 256)) return null;
    out.usernameFragment = item.usernameFragment;
  }
  return out;
}

function candidatesOf(value: unknown): Fields[] | null {
  if (!Array.isArray(value) || value.length > PROTOCOL_LIMITS.maxCandidatesPerMessage) return null;
  const out: Fields[] = [];
  for (const item of value) {
    const candidate = candidateOf(item);
    if (!candidate) return null;
    out.push(candidate);
  }
  return out;
}

/** The fields after `type`, checked and copied in the schema's order; false when one is refused. */
function bodyOf(type: MessageType, record: Fields, out: Fields): boolean {
  switch (type) {
    case 'ringing':
    case 'cancel':
    case 'unavailable':
      return true;
    case 'answer':
      if (!isSdp(record.sdp)) return false;
      out.sdp = record.sdp;
      return true;
    case 'candidates': {
      const candidates = candidatesOf(record.candidates);
      if (!candidates || typeof record.end !== 'boolean') return false;
      out.candidates = candidates;
      out.end = record.end;
      return true;
    }
    case 'invite': {
      const { media } = record;
      if (!isSdp(record.sdp) || !isObject(media)) return false;
      if (typeof media.audio !== 'boolean' || typeof media.video !== 'boolean') return false;
      if (!isInteger(record.lifetimeMs, 1, PROTOCOL_LIMITS.maxInviteLifetimeMs)) return false;
      out.sdp = record.sdp;
      out.media = { audio: media.audio, video: media.video };
      out.lifetimeMs = record.lifetimeMs;
      if (has(record, 'metadata')) {
        if (record.metadata !== undefined && metadataProblem(record.metadata) !== null) return false;
        out.metadata = record.metadata;
      }
      return true;
    }
    case 'answer-selected':
      if (!isId(record.selectedDevice)) return false;
      out.selectedDevice = record.selectedDevice;
      return true;
    case 'reject':
      if (!(REJECT_REASONS as readonly unknown[]).includes(record.reason)) return false;
      out.reason = record.reason;
      return true;
    case 'hangup':
      if (!(HANGUP_REASONS as readonly unknown[]).includes(record.reason)) return false;
      out.reason = record.reason;
      return true;
    case 'negotiate': {
      const { description } = record;
      if (!isObject(description) || typeof record.iceRestart !== 'boolean') return false;
      if ((description.type !== 'offer' && description.type !== 'answer') || !isSdp(description.sdp)) {
        return false;
      }
      out.description = { type: description.type, sdp: description.sdp };
      out.iceRestart = record.iceRestart;
      return true;
    }
    case 'media-state': {
      const { state } = record;
      if (!isInteger(record.seq, 0, Number.MAX_SAFE_INTEGER) || !isObject(state)) return false;
      const { microphone, camera, screen, held, video } = state;
      if (
        typeof microphone !== 'boolean' ||
        typeof camera !== 'boolean' ||
        typeof screen !== 'boolean' ||
        typeof held !== 'boolean' ||
        typeof video !== 'boolean'
      ) {
        return false;
      }
      out.seq = record.seq;
      out.state = { microphone, camera, screen, held, video };
      return true;
    }
  }
}

/**
 * The envelope `record` is, as the schema of `type` would return it (known fields only, in the schema's
 * order), or null when this check does not accept it (the schema then decides, and says why).
 */
export function checkEnvelope(record: Fields, type: MessageType): Envelope | null {
  const { id, callId, from, fromDevice, to } = record;
  if (record.v !== PROTOCOL_VERSION || record.type !== type) return null;
  if (!isId(id) || !isId(callId) || !isId(from) || !isId(fromDevice) || !isId(to)) return null;
  const out: Fields = { v: PROTOCOL_VERSION, id, callId, from, fromDevice, to };
  if (has(record, 'toDevice')) {
    if (record.toDevice !== undefined && !isId(record.toDevice)) return null;
    out.toDevice = record.toDevice;
  }
  if (has(record, 'ageMs')) {
    const age = record.ageMs;
    if (age !== undefined && !isInteger(age, 0, Number.POSITIVE_INFINITY)) return null;
    out.ageMs = age;
  }
  out.type = type;
  return bodyOf(type, record, out) ? (out as Envelope) : null;
}
