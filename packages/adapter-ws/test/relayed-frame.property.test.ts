// Whatever a sender writes, the relay passes its text on only when every JSON parser reads it as the
// validated envelope: texts are built as trees of key/value pairs (so a key can be written twice, or be one
// the protocol does not know, at any depth, and any colon can be escaped), and whenever the check lets a
// text through, reading its pairs keeping the first of a duplicate and keeping the last both give exactly
// the validated envelope.
import { createEnvelope, decodeEnvelope, type Envelope, HANGUP_REASONS } from '@handset/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { textSaysExactly } from '../src/server/relayed-frame.js';

/** A JSON text as written: objects are lists of pairs, so duplicates and order are the writer's. */
type Written = null | boolean | number | { text: string; escapeColons: boolean } | Written[] | Pairs;
type Pairs = { pairs: [string, Written][] };

const isPairs = (w: Written): w is Pairs => typeof w === 'object' && w !== null && 'pairs' in w;

function written(value: unknown): Written {
  if (typeof value === 'string') return { text: value, escapeColons: false };
  if (Array.isArray(value)) return value.map(written);
  if (typeof value === 'object' && value !== null) {
    return { pairs: Object.entries(value).map(([key, item]) => [key, written(item)]) };
  }
  return value as Written;
}

function serialize(w: Written): string {
  if (w === null || typeof w === 'boolean' || typeof w === 'number') return JSON.stringify(w);
  if (Array.isArray(w)) return `[${w.map(serialize).join(',')}]`;
  if (isPairs(w))
    return `{${w.pairs.map(([key, item]) => `${JSON.stringify(key)}:${serialize(item)}`).join(',')}}`;
  const text = JSON.stringify(w.text);
  return w.escapeColons ? text.replaceAll(':', '\\u003a') : text;
}

/** What a parser makes of it, keeping the first or the last of a duplicate key. */
function read(w: Written, keep: 'first' | 'last'): unknown {
  if (w === null || typeof w !== 'object') return w;
  if (Array.isArray(w)) return w.map((item) => read(item, keep));
  if (!isPairs(w)) return w.text;
  const out: Record<string, unknown> = {};
  for (const [key, item] of w.pairs) {
    if (keep === 'first' && Object.hasOwn(out, key)) continue;
    Object.defineProperty(out, key, {
      value: read(item, keep),
      enumerable: true,
      configurable: true,
      writable: true,
    });
  }
  return out;
}

/** Every object and string of the tree, to pick one to change. */
function nodes(w: Written, into: Written[] = []): Written[] {
  if (w === null || typeof w !== 'object') return into;
  into.push(w);
  if (Array.isArray(w)) for (const item of w) nodes(item, into);
  else if (isPairs(w)) for (const [, item] of w.pairs) nodes(item, into);
  return into;
}

const id = fc.stringMatching(/^[a-z0-9:._-]{1,12}$/);
const sdp = fc
  .array(fc.constantFrom('v=0', 'a=rtpmap:111 opus/48000/2', 'a=fingerprint:sha-256 AB:CD', 'm=audio 9'), {
    minLength: 1,
    maxLength: 6,
  })
  .map((lines) => `${lines.join('\r\n')}\r\n`);
const addressing = fc.record({ callId: id, from: id, fromDevice: id, to: id });

const envelopes: fc.Arbitrary<Envelope> = fc.oneof(
  fc
    .tuple(addressing, sdp, id)
    .map(([at, text, envelopeId]) => createEnvelope({ type: 'answer', ...at, sdp: text }, envelopeId)),
  fc
    .tuple(
      addressing,
      fc.array(
        fc.record({
          candidate: fc.constantFrom('candidate:1 1 udp 1 127.0.0.1 9 typ host', ''),
          sdpMid: fc.constant('0'),
        }),
        { maxLength: 3 },
      ),
      id,
    )
    .map(([at, candidates, envelopeId]) =>
      createEnvelope({ type: 'candidates', ...at, candidates, end: false }, envelopeId),
    ),
  fc
    .tuple(addressing, fc.constantFrom(...HANGUP_REASONS), id)
    .map(([at, reason, envelopeId]) => createEnvelope({ type: 'hangup', ...at, reason }, envelopeId)),
  fc
    .tuple(
      addressing,
      sdp,
      fc.dictionary(fc.string({ maxLength: 4 }), fc.string({ maxLength: 6 }), { maxKeys: 3 }),
      id,
    )
    .map(([at, text, metadata, envelopeId]) =>
      createEnvelope(
        {
          type: 'invite',
          ...at,
          sdp: text,
          media: { audio: true, video: false },
          lifetimeMs: 30_000,
          metadata,
        },
        envelopeId,
      ),
    ),
);

/** One change a hostile writer might make to a written envelope. */
const change = fc.record({
  kind: fc.constantFrom('duplicate', 'unknown', 'escape', 'reorder'),
  at: fc.nat(),
  key: fc.nat(),
  value: fc.oneof(
    fc.constant(null),
    fc.boolean(),
    fc.string({ maxLength: 6 }).map((text) => ({ text, escapeColons: false })),
  ),
  name: fc.constantFrom('extra', 'x:y', 'from', 'to', 'sdp', 'ageMs'),
  before: fc.boolean(),
});

type Change = typeof change extends fc.Arbitrary<infer T> ? T : never;

function apply(tree: Written, c: Change): void {
  const targets = nodes(tree);
  const target = targets[c.at % targets.length];
  if (target === undefined || target === null || typeof target !== 'object') return;
  if (c.kind === 'escape') {
    const strings = targets.filter(
      (node): node is { text: string; escapeColons: boolean } =>
        !Array.isArray(node) && node !== null && typeof node === 'object' && 'text' in node,
    );
    const chosen = strings[c.at % Math.max(1, strings.length)];
    if (chosen) chosen.escapeColons = true;
    return;
  }
  if (!isPairs(target)) return;
  const { pairs } = target;
  if (c.kind === 'reorder') {
    pairs.reverse();
    return;
  }
  const existing = pairs[c.key % Math.max(1, pairs.length)];
  const name = c.kind === 'duplicate' && existing ? existing[0] : c.name;
  const position = c.before ? c.key % (pairs.length + 1) : pairs.length;
  pairs.splice(position, 0, [name, c.value as Written]);
}

describe('textSaysExactly', () => {
  it('lets a text through only when first-wins and last-wins readings are both the validated envelope', () => {
    let passed = 0;
    fc.assert(
      fc.property(envelopes, fc.array(change, { maxLength: 3 }), (envelope, changes) => {
        const tree = written(envelope);
        for (const c of changes) apply(tree, c);
        const text = serialize(tree);
        const decoded = decodeEnvelope(text);
        if (!decoded.ok || !textSaysExactly(text, decoded.envelope)) return;
        passed += 1;
        expect(read(tree, 'first')).toEqual(decoded.envelope);
        expect(read(tree, 'last')).toEqual(decoded.envelope);
      }),
      { numRuns: 2_000 },
    );
    // The property is not vacuous: untouched and harmlessly changed texts do pass.
    expect(passed).toBeGreaterThan(100);
  });

  it('lets every untouched envelope written by JSON.stringify through', () => {
    fc.assert(
      fc.property(envelopes, (envelope) => {
        const text = JSON.stringify(envelope);
        const decoded = decodeEnvelope(text);
        expect(decoded.ok && textSaysExactly(text, decoded.envelope)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
