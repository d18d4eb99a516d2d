// The server relays an honest envelope as the sender wrote it (no re-encoding on the hot path) only when
// that text provably says exactly what was validated; anything a JSON parser other than JSON.parse could
// read differently (a duplicate key), or that the schemas drop (an unknown key), is encoded anew.
import { createEnvelope, encodeEnvelope } from '@handset/core';
import { nanoid } from 'nanoid';
import { afterEach, describe, expect, it } from 'vitest';
import type { SignalServer } from '../src/server/index.js';
import { type RawClient, rawClient, startTestServer } from './support/harness.js';

let server: SignalServer;
const clients: RawClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.socket.terminate();
  await server?.close({ drainMs: 100 });
});

async function login(userId: string): Promise<RawClient> {
  const client = await rawClient(server, { token: server.issueToken(userId) });
  clients.push(client);
  return client;
}

function answerFrom(from: string, sdp = 'v=0\r\na=rtpmap:111 opus/48000/2\r\n') {
  return createEnvelope(
    { type: 'answer', callId: nanoid(), from, fromDevice: `${from}-phone`, to: 'bob', sdp },
    nanoid(),
  );
}

/** The raw text Bob received for envelope `id`. */
async function receivedText(bob: RawClient, id: string): Promise<string> {
  await bob.next((f) => f.id === id);
  return bob.frames.find((text) => text.includes(id)) as string;
}

/** How many times `"key"` is written as a key in `text` (keys here hold no escapes). */
function keyCount(text: string, key: string): number {
  return text.split(new RegExp(`"${key}"\\s*:`)).length - 1;
}

describe('the relayed frame', () => {
  it("is the sender's own text when it says exactly the validated envelope", async () => {
    server = await startTestServer();
    const [alice, bob] = [await login('alice'), await login('bob')];
    const envelope = answerFrom('alice');
    // Whitespace and key order JSON.stringify would not write: only a forwarded frame keeps them.
    const text = JSON.stringify({ sdp: envelope.sdp, ...envelope }, null, 1);
    alice.send(text);
    expect(await receivedText(bob, envelope.id)).toBe(text);
  });

  it("is encoded anew, with the server's from once, when the sender writes from twice", async () => {
    server = await startTestServer();
    const [mallory, bob] = [await login('mallory'), await login('bob')];
    const envelope = answerFrom('mallory');
    // JSON.parse keeps the last "from" (mallory, the sender: nothing to stamp); a parser keeping the first
    // would read alice.
    const text = encodeEnvelope(envelope).replace('"from":"mallory"', '"from":"alice","from":"mallory"');
    mallory.send(text);
    const received = await receivedText(bob, envelope.id);
    expect(keyCount(received, 'from')).toBe(1);
    expect(JSON.parse(received)).toMatchObject({ from: 'mallory' });
    expect(received).not.toContain('alice');
  });

  it('is encoded anew when a duplicate key hides behind a colon escaped as \\u003a', async () => {
    server = await startTestServer();
    const [mallory, bob] = [await login('mallory'), await login('bob')];
    const envelope = answerFrom('mallory');
    // One colon of the sdp written as \u003a makes room for one more key in a count of raw colons.
    const text = encodeEnvelope(envelope)
      .replace('rtpmap:111', 'rtpmap\\u003a111')
      .replace('"from":"mallory"', '"from":"alice","from":"mallory"');
    mallory.send(text);
    const received = await receivedText(bob, envelope.id);
    expect(keyCount(received, 'from')).toBe(1);
    expect(JSON.parse(received)).toMatchObject({ from: 'mallory', sdp: envelope.sdp });
  });

  it('is encoded anew without a key the protocol does not know', async () => {
    server = await startTestServer();
    const [alice, bob] = [await login('alice'), await login('bob')];
    const envelope = answerFrom('alice');
    const text = encodeEnvelope(envelope).replace('{', '{"admin":true,"note":"x:y",');
    alice.send(text);
    const received = await receivedText(bob, envelope.id);
    expect(received).not.toContain('admin');
    expect(JSON.parse(received)).toEqual(envelope);
  });

  it("is encoded anew with the server's from when the sender claims another user", async () => {
    server = await startTestServer();
    const [mallory, bob] = [await login('mallory'), await login('bob')];
    const envelope = answerFrom('alice');
    mallory.send(encodeEnvelope(envelope));
    const received = await receivedText(bob, envelope.id);
    expect(keyCount(received, 'from')).toBe(1);
    expect(JSON.parse(received)).toMatchObject({ from: 'mallory' });
  });

  it("is encoded anew without the sender's own ageMs (only the server adds it)", async () => {
    server = await startTestServer();
    const [alice, bob] = [await login('alice'), await login('bob')];
    const envelope = answerFrom('alice');
    alice.send(encodeEnvelope({ ...envelope, ageMs: 5_000 }));
    const received = await receivedText(bob, envelope.id);
    expect(received).not.toContain('ageMs');
    expect(JSON.parse(received)).toEqual(envelope);
  });
});
