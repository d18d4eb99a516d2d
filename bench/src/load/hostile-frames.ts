// The hostile mix of the hostile-load measurement: which kinds of bad frame, in what proportion, and the
// bytes each kind is for each server (what that server's own protocol makes of it).
import type { Envelope } from '@handset/core';
import { callEnvelopes, sdpEnvelope } from './envelopes.js';
import type { WsKind } from './ws-links.js';

/**
 * Kinds of hostile frame sent over a held connection (`held`) or as the first frame of a new one
 * (`first-frame`); silent sockets are not frames and are counted apart.
 */
export type HostileKind =
  | 'malformed-json'
  | 'invalid-envelope'
  | 'foreign-call'
  | 'rate-flood'
  | 'oversize'
  | 'pre-auth-garbage';

/** Frames per 100 of the mix. Oversize frames are few because each is ~80 KB (bytes, not count, hurt). */
export const HOSTILE_MIX: readonly { kind: HostileKind; weight: number; what: string }[] = [
  { kind: 'malformed-json', weight: 25, what: 'truncated JSON text' },
  { kind: 'invalid-envelope', weight: 25, what: 'JSON with an envelope shape missing required fields' },
  {
    kind: 'foreign-call',
    weight: 10,
    what: "a valid `hangup` into an honest pair's call, addressed to the honest callee",
  },
  {
    kind: 'rate-flood',
    weight: 37,
    what: 'valid ~1 KB `answer` envelopes to an accomplice, far above any per-connection rate limit',
  },
  {
    kind: 'oversize',
    weight: 1,
    what: "an ~80 KB envelope: above core's 64 KiB frame limit, below the server's 128 KiB socket limit",
  },
  {
    kind: 'pre-auth-garbage',
    weight: 2,
    what: 'a new connection whose first frame is garbage instead of a hello',
  },
];

/** The kinds in sending order: a fixed interleaving of the weights, so every second has the same mix. */
export function mixSequence(): HostileKind[] {
  const sequence: HostileKind[] = [];
  const left = new Map(HOSTILE_MIX.map(({ kind, weight }) => [kind, weight]));
  while (sequence.length < 100) {
    for (const { kind } of HOSTILE_MIX) {
      const remaining = left.get(kind) ?? 0;
      if (remaining > 0) {
        sequence.push(kind);
        left.set(kind, remaining - 1);
      }
    }
  }
  return sequence;
}

/** Where a held hostile connection aims: its accomplice, and an honest user's call to intrude on. */
export interface HostileTargets {
  self: string;
  accomplice: string;
  victim: { userId: string; callId: string } | null;
}

const PEERJS_WRAP = (dst: string | undefined, payload: unknown) =>
  JSON.stringify({ type: 'ANSWER', ...(dst === undefined ? {} : { dst }), payload });

/** An ~80 KB SDP: valid text, far above what a signaling envelope should carry. */
const BIG_SDP = `v=0\r\n${'a=x-padding:0123456789abcdef0123456789abcdef0123456789abcdef0123456789\r\n'.repeat(1_100)}`;

function encodeFor(kind: WsKind, envelope: Envelope): string {
  return kind === 'peerjs' ? PEERJS_WRAP(envelope.to, envelope) : JSON.stringify(envelope);
}

/**
 * The bytes of each kind for one held connection of one server, built once: the flood sends the same
 * buffers again and again, so the load process stays cheap and the server sees full-size frames.
 */
export function framesFor(kind: WsKind, targets: HostileTargets): Map<HostileKind, Buffer> {
  const { self, accomplice, victim } = targets;
  const ownCall = `hostile-${[self, accomplice].sort().join('-')}`;
  const flood = sdpEnvelope({ from: self, to: accomplice, callId: ownCall }, `hf-${self}`);
  const oversize: Envelope = { ...flood, id: `ho-${self}`, sdp: BIG_SDP } as Envelope;
  const intrusion = victim
    ? callEnvelopes.hangup({ from: self, to: victim.userId, callId: victim.callId }, `hi-${self}`)
    : flood;
  const malformed = kind === 'peerjs' ? '{"type":"ANSWER","dst":"' : '{"v":1,"type":"answer","id":"x",';
  const invalid =
    kind === 'peerjs'
      ? PEERJS_WRAP(undefined, { v: 1 })
      : JSON.stringify({ v: 1, type: 'answer', id: 7, from: self, callId: ownCall });
  return new Map<HostileKind, Buffer>([
    ['malformed-json', Buffer.from(malformed)],
    ['invalid-envelope', Buffer.from(invalid)],
    ['foreign-call', Buffer.from(encodeFor(kind, intrusion))],
    ['rate-flood', Buffer.from(encodeFor(kind, flood))],
    ['oversize', Buffer.from(encodeFor(kind, oversize))],
    ['pre-auth-garbage', Buffer.from('GARBAGE{{{not a hello')],
  ]);
}

/** The mix as printed in RESULTS.md. */
export function describeMix(): string {
  return HOSTILE_MIX.map(({ kind, weight }) => `${weight}% ${kind}`).join(', ');
}
