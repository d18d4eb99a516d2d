// The welcome is written from a per-server template; what differs per login (user, session, resume) is
// still the login's own, encoded as JSON whatever characters a user id holds.
import { afterEach, describe, expect, it } from 'vitest';
import { classifyServerFrame } from '../src/control-frames.js';
import type { SignalServer } from '../src/server/index.js';
import { type RawClient, rawClient, startTestServer } from './support/harness.js';

let server: SignalServer;
const clients: RawClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.socket.terminate();
  await server?.close({ drainMs: 100 });
});

async function welcomeOf(hello: { token: string; sessionId?: string; received?: number }) {
  const client = await rawClient(server, hello);
  clients.push(client);
  const text = client.frames.find((frame) => frame.includes('"welcome"')) as string;
  const classified = classifyServerFrame(text);
  expect(classified.type).toBe('control');
  return classified.type === 'control' ? classified.frame : null;
}

describe('the welcome frame', () => {
  it('carries a user id holding a quote and a backslash as that id, in valid JSON', async () => {
    server = await startTestServer({ limits: { sessionGraceMs: 4_321 } });
    const userId = 'q"u\\ote';
    expect(await welcomeOf({ token: server.issueToken(userId) })).toMatchObject({
      kind: 'welcome',
      userId,
      resumed: false,
      graceMs: 4_321,
    });
  });

  it("carries each login's own session and whether it was resumed", async () => {
    server = await startTestServer();
    const first = await welcomeOf({ token: server.issueToken('alice') });
    const other = await welcomeOf({ token: server.issueToken('bob') });
    expect(other).toMatchObject({ userId: 'bob', resumed: false });
    expect(other?.kind === 'welcome' && other.sessionId).not.toBe(
      first?.kind === 'welcome' && first.sessionId,
    );
    const sessionId = first?.kind === 'welcome' ? first.sessionId : '';
    const back = await welcomeOf({ token: server.issueToken('alice'), sessionId, received: 0 });
    expect(back).toMatchObject({ userId: 'alice', sessionId, resumed: true });
  });
});
