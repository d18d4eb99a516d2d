// The frame an envelope is relayed as: the sender's own text when it provably says exactly what was
// validated (no JSON.stringify on the hot path), the validated envelope encoded anew otherwise.
import { type Envelope, encodeEnvelope } from '@handset/core';

/*
 * Why the sender's text may be forwarded. `envelope` is what validating `text` returned: every key and
 * string of it comes from its own key or string token of `text` (the schemas add no defaults), so
 * `text` holds at least its keys (K) and their colons, and the colons of its keys and strings (X).
 * Outside strings, a colon in JSON only ends a key, one per key written; inside a string a colon is
 * written as itself unless escaped as \u003a, so a text without "\u" has as many colons inside its
 * strings as they hold. So when the colons of `text` number exactly K + X, it writes exactly K keys:
 * no duplicate key (where parsers differ: JSON.parse keeps the last, others the first), no unknown key,
 * nothing the schemas dropped. What may still differ is what every JSON parser reads alike: whitespace,
 * key order, escapes other than \u, how a number is written.
 */

/** Keys and colons of the envelope being tallied (module state: the relay runs one envelope at a time). */
let keys = 0;
let colons = 0;

function colonsIn(text: string): number {
  let count = 0;
  for (let at = text.indexOf(':'); at !== -1; at = text.indexOf(':', at + 1)) count += 1;
  return count;
}

function tally(value: unknown): void {
  if (typeof value === 'string') {
    colons += colonsIn(value);
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  if (Array.isArray(value)) {
    for (const item of value) tally(item);
    return;
  }
  for (const key in value) {
    // Own keys only: an enumerable key someone added to Object.prototype is not in the envelope.
    if (!Object.hasOwn(value, key)) continue;
    keys += 1;
    colons += colonsIn(key);
    tally((value as Record<string, unknown>)[key]);
  }
}

/** True when `text` writes exactly the keys and values of `envelope`, the value validating it gave. */
export function textSaysExactly(text: string, envelope: Envelope): boolean {
  if (text.includes('\\u')) return false;
  keys = 0;
  colons = 0;
  tally(envelope);
  return colonsIn(text) === keys + colons;
}

/**
 * What to send the addressee of `envelope`: `senderText`, the frame it was validated from (given only when
 * it is relayed as validated, not re-stamped), when that text provably says exactly it; otherwise the
 * envelope encoded.
 */
export function relayedFrame(envelope: Envelope, senderText: string | undefined): string {
  return senderText !== undefined && textSaysExactly(senderText, envelope)
    ? senderText
    : encodeEnvelope(envelope);
}
