// The client entry must bundle for browsers: nothing under src/ outside src/broker/ may import Node
// modules or the broker's dependencies.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const src = fileURLToPath(new URL('../src', import.meta.url));
const clientFiles = readdirSync(src).filter((name) => name.endsWith('.ts'));
const NODE_ONLY = /from '(node:[^']+|aedes|ws|net|http|crypto|fs)'/;

describe('the client entry point', () => {
  it('has client files to check', () => {
    expect(clientFiles).toContain('mqtt-transport.ts');
  });

  for (const name of clientFiles) {
    it(`${name} imports nothing Node-only`, () => {
      expect(readFileSync(join(src, name), 'utf8')).not.toMatch(NODE_ONLY);
    });
  }

  it("uses mqtt's default export, the only one its browser build has", () => {
    const transport = readFileSync(join(src, 'mqtt-transport.ts'), 'utf8');
    expect(transport).toMatch(/import mqtt, \{ type [^}]+\} from 'mqtt'/);
  });
});
