// The protocol validator as a specification: each kind of bad frame and the typed error it becomes,
// then two properties — decoding never throws, and every valid envelope survives encode → decode.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createEnvelope,
  decodeEnvelope,
  type Envelope,
  encodeEnvelope,
  HandsetError,
  isValidId,
  MESSAGE_TYPES,
  PROTOCOL_LIMITS,
  validateEnvelope,
} from '../src/index.js';
import { payloadArbitrary } from './support/payload-arbitrary.js';

const header = { v: 1, id: 'msg-1', callId: 'call-1', from: 'alice', fromDevice: 'alice-phone', to: 'bob' };
const validHangup = { ...header, type: 'hangup', reason: 'normal' };
const validInvite = {
  ...header,
  type: 'invite',
  sdp: 'v=0\r\n',
  media: { audio: true, video: false },
  lifetimeMs: 30_000,
};
const candidate = { candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 40000 typ host', sdpMid: '0' };

/** Decodes a frame that must be refused and returns the error, failing the test if it was accepted. */
function refused(frame: string): HandsetError {
  const result = decodeEnvelope(frame);
  if (result.ok) throw new Error(`expected a refusal, got ${JSON.stringify(result.envelope)}`);
  expect(result.error).toBeInstanceOf(HandsetError);
  return result.error;
}

const refusedCode = (value: unknown) => refused(JSON.stringify(value)).code;

describe('decodeEnvelope refuses bad input with a typed error', () => {
  it('a frame that is not JSON → malformed-json', () => {
    expect(refused('{"v":1,').code).toBe('malformed-json');
    expect(refused('hello').code).toBe('malformed-json');
    expect(refused('').code).toBe('malformed-json');
  });

  it('JSON that is not an object (array, string, number, null) → invalid-envelope', () => {
    for (const value of [[validHangup], 'hangup', 42, null, true]) {
      expect(refusedCode(value)).toBe('invalid-envelope');
    }
  });

  it('a missing or different protocol version → unsupported-version', () => {
    expect(refusedCode({ ...validHangup, v: 2 })).toBe('unsupported-version');
    expect(refusedCode({ ...validHangup, v: '1' })).toBe('unsupported-version');
    const { v: _v, ...unversioned } = validHangup;
    expect(refusedCode(unversioned)).toBe('unsupported-version');
  });

  it('a message type this build does not know → unknown-type', () => {
    expect(refusedCode({ ...validHangup, type: 'teleport' })).toBe('unknown-type');
    expect(refusedCode({ ...validHangup, type: 42 })).toBe('unknown-type');
    const { type: _type, ...untyped } = validHangup;
    expect(refusedCode(untyped)).toBe('unknown-type');
  });

  it('a type named after an Object.prototype member (toString, __proto__, constructor) → unknown-type', () => {
    for (const type of ['toString', '__proto__', 'constructor', 'hasOwnProperty']) {
      expect(refusedCode({ ...validHangup, type })).toBe('unknown-type');
    }
  });

  it('a missing header field → invalid-envelope', () => {
    for (const field of ['id', 'callId', 'from', 'fromDevice', 'to'] as const) {
      const { [field]: _dropped, ...rest } = validHangup;
      expect(refusedCode(rest), field).toBe('invalid-envelope');
    }
  });

  it('a header field of the wrong type → invalid-envelope', () => {
    expect(refusedCode({ ...validHangup, callId: 7 })).toBe('invalid-envelope');
    expect(refusedCode({ ...validHangup, toDevice: null })).toBe('invalid-envelope');
    expect(refusedCode({ ...validHangup, ageMs: '10' })).toBe('invalid-envelope');
    expect(refusedCode({ ...validHangup, ageMs: -1 })).toBe('invalid-envelope');
    expect(refusedCode({ ...validHangup, ageMs: 1.5 })).toBe('invalid-envelope');
  });

  it('a missing or mistyped payload field → invalid-envelope', () => {
    const { sdp: _sdp, ...inviteWithoutSdp } = validInvite;
    expect(refusedCode(inviteWithoutSdp)).toBe('invalid-envelope');
    expect(refusedCode({ ...validInvite, media: { audio: 'yes', video: false } })).toBe('invalid-envelope');
    expect(refusedCode({ ...validHangup, reason: 'bored' })).toBe('invalid-envelope');
    expect(refusedCode({ ...header, type: 'reject', reason: 'normal' })).toBe('invalid-envelope');
    expect(refusedCode({ ...header, type: 'candidates', candidates: [candidate] })).toBe('invalid-envelope');
    expect(
      refusedCode({
        ...header,
        type: 'negotiate',
        description: { type: 'pranswer', sdp: 'v=0' },
        iceRestart: false,
      }),
    ).toBe('invalid-envelope');
  });

  it('an empty SDP → invalid-envelope', () => {
    expect(refusedCode({ ...validInvite, sdp: '' })).toBe('invalid-envelope');
  });

  it('an SDP longer than the limit → invalid-envelope', () => {
    const sdp = 'v'.repeat(PROTOCOL_LIMITS.maxSdpLength + 1);
    expect(refusedCode({ ...header, type: 'answer', sdp })).toBe('invalid-envelope');
  });

  it('more candidates in one message than the limit → invalid-envelope', () => {
    const candidates = Array.from({ length: PROTOCOL_LIMITS.maxCandidatesPerMessage + 1 }, () => candidate);
    expect(refusedCode({ ...header, type: 'candidates', candidates, end: false })).toBe('invalid-envelope');
  });

  it('a candidate string longer than the limit → invalid-envelope', () => {
    const long = { candidate: 'c'.repeat(PROTOCOL_LIMITS.maxCandidateLength + 1) };
    expect(refusedCode({ ...header, type: 'candidates', candidates: [long], end: true })).toBe(
      'invalid-envelope',
    );
  });

  it('an id with a space → invalid-envelope', () => {
    expect(refusedCode({ ...validHangup, callId: 'call 1' })).toBe('invalid-envelope');
  });

  it('an id with a slash (an MQTT topic level) → invalid-envelope', () => {
    expect(refusedCode({ ...validHangup, to: 'bob/#' })).toBe('invalid-envelope');
    expect(refusedCode({ ...validHangup, fromDevice: '../etc' })).toBe('invalid-envelope');
  });

  it('an id with an MQTT wildcard (+ or #) → invalid-envelope', () => {
    expect(refusedCode({ ...validHangup, to: '+' })).toBe('invalid-envelope');
    expect(refusedCode({ ...validHangup, from: 'bob#' })).toBe('invalid-envelope');
  });

  it('an id with non-ASCII or control characters → invalid-envelope', () => {
    expect(refusedCode({ ...validHangup, from: 'alïce' })).toBe('invalid-envelope');
    expect(refusedCode({ ...validHangup, from: 'alice\n' })).toBe('invalid-envelope');
  });

  it('an empty id or one longer than the limit → invalid-envelope', () => {
    expect(refusedCode({ ...validHangup, id: '' })).toBe('invalid-envelope');
    expect(refusedCode({ ...validHangup, id: 'x'.repeat(PROTOCOL_LIMITS.maxIdLength + 1) })).toBe(
      'invalid-envelope',
    );
  });

  it('an invite lifetime above the limit (a ring that would last for ever) → invalid-envelope', () => {
    const lifetimeMs = PROTOCOL_LIMITS.maxInviteLifetimeMs + 1;
    expect(refusedCode({ ...validInvite, lifetimeMs })).toBe('invalid-envelope');
    expect(refusedCode({ ...validInvite, lifetimeMs: 1e308 })).toBe('invalid-envelope');
  });

  it('an invite lifetime of zero, negative or fractional → invalid-envelope', () => {
    for (const lifetimeMs of [0, -5, 1.5])
      expect(refusedCode({ ...validInvite, lifetimeMs })).toBe('invalid-envelope');
  });

  it('a frame longer than the limit → oversize, before any parsing', () => {
    const frame = JSON.stringify({ ...validHangup, padding: 'x'.repeat(PROTOCOL_LIMITS.maxFrameBytes) });
    expect(refused(frame).code).toBe('oversize');
    // Not JSON at all, but too long: the size is what it is told.
    expect(refused('['.repeat(PROTOCOL_LIMITS.maxFrameBytes + 1)).code).toBe('oversize');
  });

  it('a frame under the limit in characters but over it in UTF-8 bytes → oversize', () => {
    const characters = Math.ceil(PROTOCOL_LIMITS.maxFrameBytes / 3) + 10;
    const frame = JSON.stringify({ ...validHangup, padding: '€'.repeat(characters) });
    expect(frame.length).toBeLessThan(PROTOCOL_LIMITS.maxFrameBytes);
    expect(refused(frame).code).toBe('oversize');
  });

  it('a frame of exactly the limit in UTF-8 bytes is accepted; one byte more → oversize', () => {
    const bytes = (text: string) => new TextEncoder().encode(text).length;
    const base = JSON.stringify({ ...validHangup, padding: '' });
    const room = PROTOCOL_LIMITS.maxFrameBytes - bytes(base);
    const padding = `${'€'.repeat(Math.floor(room / 3))}${'x'.repeat(room % 3)}`;
    const atLimit = JSON.stringify({ ...validHangup, padding });
    expect(bytes(atLimit)).toBe(PROTOCOL_LIMITS.maxFrameBytes);
    expect(decodeEnvelope(atLimit).ok).toBe(true);
    expect(refused(JSON.stringify({ ...validHangup, padding: `${padding}x` })).code).toBe('oversize');
  });

  it('deeply nested JSON is refused without a stack overflow', () => {
    const frame = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
    expect(frame.length).toBeLessThan(PROTOCOL_LIMITS.maxFrameBytes);
    expect(refused(frame).code).toBe('invalid-envelope');
  });
});

describe('decodeEnvelope keeps prototype-pollution keys harmless', () => {
  it('a __proto__ key at the top level or inside a payload pollutes nothing and is dropped', () => {
    const frame = JSON.stringify(validInvite).replace(
      /^\{/,
      '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},',
    );
    const inner = frame.replace('"media":{', '"media":{"__proto__":{"polluted":true},');
    for (const text of [frame, inner]) {
      const result = decodeEnvelope(text);
      expect(result.ok).toBe(true);
      if (!result.ok) continue;
      expect(Object.getPrototypeOf(result.envelope)).toBe(Object.prototype);
      expect(Object.hasOwn(result.envelope, '__proto__')).toBe(false);
      expect(Object.hasOwn(result.envelope, 'constructor')).toBe(false);
      if (result.envelope.type === 'invite')
        expect(Object.hasOwn(result.envelope.media, '__proto__')).toBe(false);
      expect((result.envelope as Record<string, unknown>).polluted).toBeUndefined();
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('a __proto__ key inside a candidate pollutes nothing', () => {
    const frame = JSON.stringify({
      ...header,
      type: 'candidates',
      candidates: [candidate],
      end: true,
    }).replace('"sdpMid":"0"', '"sdpMid":"0","__proto__":{"polluted":true}');
    const result = decodeEnvelope(frame);
    expect(result.ok).toBe(true);
    if (result.ok && result.envelope.type === 'candidates') {
      expect(Object.hasOwn(result.envelope.candidates[0]!, '__proto__')).toBe(false);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

// Printable ASCII without space, '/', '+' and '#': exactly the characters an id may hold.
const idChars = Array.from({ length: 0x7e - 0x21 + 1 }, (_, i) => String.fromCharCode(0x21 + i)).filter(
  (c) => c !== '/' && c !== '+' && c !== '#',
);
const idArb = fc.string({ unit: fc.constantFrom(...idChars), minLength: 1, maxLength: 24 });
const sdpArb = fc.string({ minLength: 1, maxLength: 400 });
const candidateArb = fc.record(
  {
    candidate: fc.string({ maxLength: 120 }),
    sdpMid: fc.option(fc.string({ maxLength: 8 }), { nil: null }),
    sdpMLineIndex: fc.option(fc.nat({ max: 1024 }), { nil: null }),
    usernameFragment: fc.option(fc.string({ maxLength: 16 }), { nil: null }),
  },
  { requiredKeys: ['candidate'] },
);

const headerArb = fc.record(
  {
    id: idArb,
    callId: idArb,
    from: idArb,
    fromDevice: idArb,
    to: idArb,
    toDevice: idArb,
    ageMs: fc.nat(),
  },
  { requiredKeys: ['id', 'callId', 'from', 'fromDevice', 'to'] },
);

const payloadArb = payloadArbitrary({
  sdp: sdpArb,
  deviceId: idArb,
  lifetimeMs: fc.integer({ min: 1, max: PROTOCOL_LIMITS.maxInviteLifetimeMs }),
  candidate: candidateArb,
  maxCandidates: 8,
});

/** Any valid envelope of any type, with optional header fields present or absent. */
const envelopeArb: fc.Arbitrary<Envelope> = fc
  .tuple(headerArb, payloadArb)
  .map(([{ id, ...rest }, payload]) =>
    createEnvelope({ ...rest, ...payload } as Parameters<typeof createEnvelope>[0], id),
  );

describe('decodeEnvelope, for any input', () => {
  it('never throws on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (frame) => {
        const result = decodeEnvelope(frame);
        expect(result.ok || result.error instanceof HandsetError).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on arbitrary JSON, and refuses it with a protocol error code', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (value) => {
        const result = decodeEnvelope(JSON.stringify(value) ?? 'null');
        if (!result.ok) {
          expect([
            'malformed-json',
            'invalid-envelope',
            'unsupported-version',
            'unknown-type',
            'oversize',
          ]).toContain(result.error.code);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on envelope-shaped objects with fields of any JSON type', () => {
    const fieldArb = fc.oneof(fc.jsonValue({ maxDepth: 2 }), idArb);
    const shapedArb = fc.record({
      v: fc.oneof(fc.constant(1), fc.jsonValue({ maxDepth: 1 })),
      type: fc.oneof(fc.constantFrom(...MESSAGE_TYPES), fc.string()),
      id: fieldArb,
      callId: fieldArb,
      from: fieldArb,
      fromDevice: fieldArb,
      to: fieldArb,
      sdp: fieldArb,
      media: fieldArb,
      lifetimeMs: fieldArb,
      candidates: fc.oneof(fc.array(fieldArb, { maxLength: 3 }), fieldArb),
      description: fieldArb,
      reason: fieldArb,
    });
    fc.assert(
      fc.property(shapedArb, (value) => {
        const result = decodeEnvelope(JSON.stringify(value));
        expect(result.ok || result.error instanceof HandsetError).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('round-trips every valid envelope through encodeEnvelope and decodeEnvelope', () => {
    fc.assert(
      fc.property(envelopeArb, (envelope) => {
        const result = decodeEnvelope(encodeEnvelope(envelope));
        expect(result).toEqual({ ok: true, envelope });
      }),
      { numRuns: 500 },
    );
  });

  it('every message type is reachable by the valid-envelope arbitrary', () => {
    const seen = new Set(fc.sample(envelopeArb, { numRuns: 400, seed: 7 }).map((e) => e.type));
    expect([...seen].sort()).toEqual([...MESSAGE_TYPES].sort());
  });
});

describe('error messages about hostile values', () => {
  it('a version or type that is an object with its own toString/toJSON → a typed error, never an exception', () => {
    for (const field of ['v', 'type']) {
      const frame = JSON.stringify({ ...validHangup, [field]: { toString: '', toJSON: 1, valueOf: [] } });
      expect(() => decodeEnvelope(frame)).not.toThrow();
      expect(decodeEnvelope(frame).ok).toBe(false);
    }
    const hostile = {
      v: {
        toString: () => {
          throw new Error('boom');
        },
      },
      type: 'hangup',
    };
    expect(validateEnvelope(hostile)).toMatchObject({ ok: false, error: { code: 'unsupported-version' } });
  });
});

describe('isValidId', () => {
  it('accepts what envelopes accept and refuses what they refuse', () => {
    expect(['10000', 'alice@example.com', 'a-b_c.d:e'].every(isValidId)).toBe(true);
    expect(['', 'a b', 'a/b', 'a+b', '#', 'x'.repeat(129), 'é', 42].some(isValidId)).toBe(false);
  });
});
