// One fast-check arbitrary for the payload of every message type, shared by the protocol properties and
// the call invariants; each caller picks how wild the SDP, ids, lifetimes and candidates may be.
import fc from 'fast-check';
import {
  type CallMetadata,
  type EnvelopeDraft,
  HANGUP_REASONS,
  type IceCandidateInit,
  REJECT_REASONS,
} from '../../src/index.js';

type HeaderKey = 'callId' | 'from' | 'fromDevice' | 'to' | 'toDevice' | 'ageMs';

/** A message without its header: what `type` and its own fields say. */
export type Payload = EnvelopeDraft extends infer D
  ? D extends EnvelopeDraft
    ? Omit<D, HeaderKey>
    : never
  : never;

export interface PayloadParts {
  sdp: fc.Arbitrary<string>;
  deviceId: fc.Arbitrary<string>;
  lifetimeMs: fc.Arbitrary<number>;
  candidate: fc.Arbitrary<IceCandidateInit>;
  maxCandidates: number;
}

export function payloadArbitrary(parts: PayloadParts): fc.Arbitrary<Payload> {
  const { sdp } = parts;
  return fc.oneof(
    fc.record(
      {
        type: fc.constant('invite' as const),
        sdp,
        media: fc.record({ audio: fc.boolean(), video: fc.boolean() }),
        lifetimeMs: parts.lifetimeMs,
        // Small JSON: well under maxMetadataBytes and maxMetadataDepth. Passed through JSON once, as any
        // metadata is on the wire: fc.jsonValue can give -0, which JSON writes as 0 (seed 582664237).
        metadata: fc
          .jsonValue({ maxDepth: 3, depthSize: 'small' })
          .map((value) => JSON.parse(JSON.stringify(value)) as CallMetadata),
      },
      { requiredKeys: ['type', 'sdp', 'media', 'lifetimeMs'] },
    ),
    fc.record({ type: fc.constant('ringing' as const) }),
    fc.record({ type: fc.constant('answer' as const), sdp }),
    fc.record({ type: fc.constant('answer-selected' as const), selectedDevice: parts.deviceId }),
    fc.record({
      type: fc.constant('candidates' as const),
      candidates: fc.array(parts.candidate, { maxLength: parts.maxCandidates }),
      end: fc.boolean(),
    }),
    fc.record({ type: fc.constant('reject' as const), reason: fc.constantFrom(...REJECT_REASONS) }),
    fc.record({ type: fc.constant('cancel' as const) }),
    fc.record({ type: fc.constant('hangup' as const), reason: fc.constantFrom(...HANGUP_REASONS) }),
    fc.record({
      type: fc.constant('negotiate' as const),
      description: fc.record({ type: fc.constantFrom('offer' as const, 'answer' as const), sdp }),
      iceRestart: fc.boolean(),
    }),
    fc.record({ type: fc.constant('unavailable' as const) }),
    fc.record({
      type: fc.constant('media-state' as const),
      seq: fc.nat(),
      state: fc.record({
        microphone: fc.boolean(),
        camera: fc.boolean(),
        screen: fc.boolean(),
        held: fc.boolean(),
        video: fc.boolean(),
      }),
    }),
  );
}
