// The hand-written envelope check (envelope-check.ts) against the schemas it stands in for: whatever it
// accepts, the schema accepts too and returns the very same envelope (fields, order, nested copies); and it
// accepts every valid envelope, so decoding takes the fast way. Inputs are valid envelopes with one field
// anywhere (nested ones too) deleted, replaced by any JSON value or an edge value, or an unknown key added.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkEnvelope } from '../src/envelope-check.js';
import {
  createEnvelope,
  type Envelope,
  type MessageType,
  PROTOCOL_LIMITS,
  schemaEnvelope,
} from '../src/protocol.js';
import { payloadArbitrary } from './support/payload-arbitrary.js';

const idChars = Array.from({ length: 0x7e - 0x21 + 1 }, (_, i) => String.fromCharCode(0x21 + i)).filter(
  (c) => c !== '/' && c !== '+' && c !== '#',
);
const idArb = fc.string({ unit: fc.constantFrom(...idChars), minLength: 1, maxLength: 24 });
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
  { id: idArb, callId: idArb, from: idArb, fromDevice: idArb, to: idArb, toDevice: idArb, ageMs: fc.nat() },
  { requiredKeys: ['id', 'callId', 'from', 'fromDevice', 'to'] },
);
const envelopeArb: fc.Arbitrary<Envelope> = fc
  .tuple(
    headerArb,
    payloadArbitrary({
      sdp: fc.string({ minLength: 1, maxLength: 60 }),
      deviceId: idArb,
      lifetimeMs: fc.integer({ min: 1, max: PROTOCOL_LIMITS.maxInviteLifetimeMs }),
      candidate: candidateArb,
      maxCandidates: 4,
    }),
  )
  .map(([{ id, ...rest }, payload]) =>
    createEnvelope({ ...rest, ...payload } as Parameters<typeof createEnvelope>[0], id),
  );

/** Values at the edges of the rules: ids one character too long or holding a forbidden character, etc. */
const edgeArb = fc.constantFrom<unknown>(
  '',
  'a'.repeat(PROTOCOL_LIMITS.maxIdLength),
  'a'.repeat(PROTOCOL_LIMITS.maxIdLength + 1),
  'a b',
  'a/b',
  'a+b',
  'a#b',
  'a\u00e9',
  '\u007f',
  '\u0020',
  'a'.repeat(1025),
  'a'.repeat(PROTOCOL_LIMITS.maxSdpLength + 1),
  -1,
  0,
  -0,
  1.5,
  1024,
  1025,
  PROTOCOL_LIMITS.maxInviteLifetimeMs + 1,
  Number.MAX_SAFE_INTEGER,
  Number.MAX_SAFE_INTEGER + 2,
  null,
  true,
  false,
  [],
  {},
  'offer',
  'answer',
  'busy',
  'normal',
  undefined,
);

type Path = (string | number)[];

/** Every path to a value inside `value` (objects and arrays), the root excluded. */
function pathsOf(value: unknown, prefix: Path = []): Path[] {
  if (typeof value !== 'object' || value === null) return [];
  return Object.keys(value).flatMap((key) => {
    const path = [...prefix, Array.isArray(value) ? Number(key) : key];
    return [path, ...pathsOf((value as Record<string, unknown>)[key], path)];
  });
}

type Mutation =
  | { kind: 'none' }
  | { kind: 'delete'; at: number }
  | { kind: 'set'; at: number; value: unknown }
  | { kind: 'add'; at: number; key: string; value: unknown };

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.constant<Mutation>({ kind: 'none' }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('set' as const),
    at: fc.nat(),
    value: fc.oneof(edgeArb, fc.jsonValue({ maxDepth: 2 })),
  }),
  fc.record({
    kind: fc.constant('add' as const),
    at: fc.nat(),
    key: fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('toDevice', 'ageMs', 'metadata', '__proto__')),
    value: fc.oneof(edgeArb, fc.jsonValue({ maxDepth: 1 })),
  }),
);

/** `envelope` as plain JSON with `mutation` applied (a fresh copy). */
function mutated(envelope: Envelope, mutation: Mutation): Record<string, unknown> {
  const root = JSON.parse(JSON.stringify(envelope)) as Record<string, unknown>;
  if (mutation.kind === 'none') return root;
  const paths = pathsOf(root);
  const path = paths[mutation.at % paths.length] ?? [];
  const parentPath = mutation.kind === 'add' ? path : path.slice(0, -1);
  let parent: unknown = root;
  for (const step of parentPath) parent = (parent as Record<string | number, unknown>)[step];
  if (typeof parent !== 'object' || parent === null) parent = root;
  const target = parent as Record<string | number, unknown>;
  const key = path.at(-1) ?? 'id';
  if (mutation.kind === 'delete') delete target[key];
  else if (mutation.kind === 'set') target[key] = mutation.value;
  else
    Object.defineProperty(target, mutation.key, {
      value: mutation.value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  return root;
}

describe('checkEnvelope', () => {
  it('accepts only what the schema accepts, and returns exactly what the schema returns', () => {
    fc.assert(
      fc.property(envelopeArb, mutationArb, (envelope, mutation) => {
        const value = mutated(envelope, mutation);
        const fast = checkEnvelope(value, envelope.type);
        if (fast === null) return;
        const reference = schemaEnvelope(envelope.type as MessageType, value);
        expect(reference).not.toBeNull();
        expect(fast).toStrictEqual(reference);
        expect(JSON.stringify(fast)).toBe(JSON.stringify(reference));
      }),
      { numRuns: 5_000 },
    );
  });

  it('accepts every valid envelope, as the schema returns it', () => {
    fc.assert(
      fc.property(envelopeArb, (envelope) => {
        const value = mutated(envelope, { kind: 'none' });
        const fast = checkEnvelope(value, envelope.type);
        expect(fast).not.toBeNull();
        expect(fast).toStrictEqual(schemaEnvelope(envelope.type, value));
      }),
      { numRuns: 1_000 },
    );
  });

  it('refuses, for the schema to judge, an envelope the schema refuses (one per rule kind)', () => {
    const base = createEnvelope(
      { type: 'answer', callId: 'c', from: 'a', fromDevice: 'd', to: 'b', sdp: 'x' },
      'i',
    );
    const refused: Record<string, unknown>[] = [
      { ...base, id: 'a/b' },
      { ...base, from: '' },
      { ...base, to: 'a'.repeat(PROTOCOL_LIMITS.maxIdLength + 1) },
      { ...base, toDevice: 'a b' },
      { ...base, ageMs: -1 },
      { ...base, ageMs: 1.5 },
      { ...base, sdp: '' },
      { ...base, sdp: 42 },
    ];
    for (const value of refused) {
      expect(schemaEnvelope('answer', value)).toBeNull();
      expect(checkEnvelope(value, 'answer')).toBeNull();
    }
  });
});
