// What nodes share through Redis, sealed with an HMAC keyed from the token secret (which every node of a
// cluster shares): envelope frames, so whoever can PUBLISH into Redis without that secret can neither
// inject envelopes (skipping sender stamping and call membership) nor re-date or replay them; and call
// bindings, so whoever can SET a key cannot make themselves a member of someone else's call.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { decodeEnvelope, type Envelope, encodeEnvelope, PROTOCOL_LIMITS } from '@handset/core';
import type { TokenSecret } from '@handset/token';

/** Why a frame from Redis was dropped (logged as `cluster-bad-frame` with this code). */
export type ClusterFrameErrorCode =
  /** Not JSON, or not `{ t, n, e, s }` with the right types and sizes. */
  | 'cluster-frame-malformed'
  /** The HMAC does not match: not sealed by a node holding this cluster's secret, or changed since. */
  | 'cluster-bad-signature'
  /** Sealed longer ago (or further ahead) than `maxAgeMs`. */
  | 'cluster-frame-stale'
  /** A frame already opened once (a replay). */
  | 'cluster-frame-replayed'
  /** Sealed correctly, but the envelope inside fails core's validator. */
  | 'cluster-bad-envelope';

export type OpenedClusterFrame =
  | { ok: true; envelope: Envelope; fromNode: string }
  | { ok: false; code: ClusterFrameErrorCode; message: string };

export interface ClusterFrames {
  seal(envelope: Envelope): string;
  open(frame: string): OpenedClusterFrame;
  /** The value stored for a call binding: its members ("a b") and their seal. */
  sealCallRecord(callId: string, members: string): string;
  /** The members of a stored binding, or null when its seal does not match (forged or changed). */
  openCallRecord(callId: string, value: string): string | null;
}

interface WireFrame {
  /** When it was sealed (ms since the epoch). */
  t: number;
  /** The sending node. */
  n: string;
  /** The encoded envelope. */
  e: string;
  /** base64url HMAC-SHA256 over `t`, `n` and `e`. */
  s: string;
}

/** Frames remembered against replays (within `maxAgeMs`); the oldest are forgotten first beyond it. */
const MAX_REMEMBERED = 100_000;
/** An envelope, its node id and a few numbers: anything much larger is not a frame of ours. */
const MAX_FRAME_CHARS = 2 * PROTOCOL_LIMITS.maxFrameBytes + 1024;

export function createClusterFrames(
  secret: TokenSecret,
  nodeId: string,
  maxAgeMs: number,
  now: () => number = Date.now,
): ClusterFrames {
  // A key of its own, derived from the token secret: a cluster frame can never pass as a token.
  const key = createHmac('sha256', secret).update('handset cluster frames v1').digest();
  const sign = (t: number, n: string, e: string) =>
    createHmac('sha256', key).update(`${t}\n${n}\n${e}`).digest();
  const seen = new Map<string, number>();
  const sealCall = (callId: string, members: string) =>
    createHmac('sha256', key).update(`call\n${callId}\n${members}`).digest();

  function remember(signature: string, t: number, at: number): void {
    for (const [old, sealedAt] of seen) {
      if (seen.size < MAX_REMEMBERED && at - sealedAt <= maxAgeMs) break;
      seen.delete(old);
    }
    seen.set(signature, t);
  }

  return {
    seal(envelope) {
      const t = now();
      const e = encodeEnvelope(envelope);
      const frame: WireFrame = { t, n: nodeId, e, s: sign(t, nodeId, e).toString('base64url') };
      return JSON.stringify(frame);
    },
    open(frame) {
      const malformed = (message: string): OpenedClusterFrame => ({
        ok: false,
        code: 'cluster-frame-malformed',
        message,
      });
      if (frame.length > MAX_FRAME_CHARS) return malformed(`${frame.length} characters`);
      let parsed: unknown;
      try {
        parsed = JSON.parse(frame);
      } catch {
        return malformed('not JSON');
      }
      const { t, n, e, s } = (parsed ?? {}) as Partial<Record<keyof WireFrame, unknown>>;
      if (
        typeof t !== 'number' ||
        !Number.isFinite(t) ||
        typeof n !== 'string' ||
        n.length > 256 ||
        typeof e !== 'string' ||
        typeof s !== 'string' ||
        s.length > 64
      ) {
        return malformed('not a sealed cluster frame');
      }
      const expected = sign(t, n, e);
      const given = Buffer.from(s, 'base64url');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        return { ok: false, code: 'cluster-bad-signature', message: `claims node ${JSON.stringify(n)}` };
      }
      const at = now();
      if (Math.abs(at - t) > maxAgeMs) {
        return { ok: false, code: 'cluster-frame-stale', message: `sealed ${at - t} ms ago` };
      }
      if (seen.has(s)) return { ok: false, code: 'cluster-frame-replayed', message: 'seen before' };
      remember(s, t, at);
      const decoded = decodeEnvelope(e);
      if (!decoded.ok) {
        return {
          ok: false,
          code: 'cluster-bad-envelope',
          message: `${decoded.error.code}: ${decoded.error.message}`,
        };
      }
      return { ok: true, envelope: decoded.envelope, fromNode: n };
    },
    sealCallRecord(callId, members) {
      // Ids never contain spaces: "a b <seal>" splits back unambiguously.
      return `${members} ${sealCall(callId, members).toString('base64url')}`;
    },
    openCallRecord(callId, value) {
      const parts = value.split(' ');
      if (parts.length !== 3) return null;
      const members = `${parts[0]} ${parts[1]}`;
      const given = Buffer.from(parts[2] ?? '', 'base64url');
      const expected = sealCall(callId, members);
      return given.length === expected.length && timingSafeEqual(given, expected) ? members : null;
    },
  };
}
