// The README's "In the call" section against the code: its limits table says what PROTOCOL_LIMITS says, and
// every in-call method of the phone is documented there.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { README_PATH } from '../scripts/state-diagram.js';
import { PROTOCOL_LIMITS } from '../src/index.js';

const readme = readFileSync(README_PATH, 'utf8');
const section = readme.slice(
  readme.indexOf('## In the call'),
  readme.indexOf('## ', readme.indexOf('## In the call') + 3),
);

describe('README "In the call"', () => {
  it('gives every in-call limit its value from PROTOCOL_LIMITS', () => {
    const rows = [...section.matchAll(/^\| `(max\w+)` \| (\d+)/gm)].map(([, name, value]) => [
      name,
      Number(value),
    ]);
    expect(Object.fromEntries(rows)).toEqual({
      maxMetadataBytes: PROTOCOL_LIMITS.maxMetadataBytes,
      maxMetadataDepth: PROTOCOL_LIMITS.maxMetadataDepth,
      maxCallMessageBytes: PROTOCOL_LIMITS.maxCallMessageBytes,
    });
  });

  it('documents every in-call method', () => {
    for (const method of [
      'setMicrophone',
      'setCamera',
      'holdCall',
      'resumeCall',
      'startScreenShare',
      'stopScreenShare',
      'switchDevice',
      'listDevices',
      'startVideo',
      'stopVideo',
      'sendMessage',
    ]) {
      expect(section, method).toContain(`\`${method}(`);
    }
  });
});
