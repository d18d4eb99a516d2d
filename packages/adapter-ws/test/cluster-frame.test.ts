// The seal on what nodes send each other through Redis, at its edges: the largest envelope the protocol
// allows, in its worst case for escaping, must still pass between nodes.
import { createEnvelope, encodeEnvelope, PROTOCOL_LIMITS } from '@handset/core';
import { nanoid } from 'nanoid';
import { describe, expect, it } from 'vitest';
import { createClusterFrames } from '../src/server/cluster-frame.js';
import { SECRET } from './support/harness.js';

describe('cluster frames', () => {
  it('carry the largest envelope the protocol accepts, even when every SDP character needs escaping', () => {
    const frames = createClusterFrames(SECRET, 'node-a', 30_000);
    const base = createEnvelope(
      { type: 'answer', callId: nanoid(), from: 'alice', fromDevice: 'a', to: 'bob', sdp: 'x' },
      nanoid(),
    );
    // Quotes double when the envelope is encoded and double again inside the sealed frame.
    const room = Math.floor((PROTOCOL_LIMITS.maxFrameBytes - encodeEnvelope(base).length) / 2);
    const envelope = { ...base, sdp: '"'.repeat(Math.min(room, PROTOCOL_LIMITS.maxSdpLength)) };
    expect(encodeEnvelope(envelope).length).toBeLessThanOrEqual(PROTOCOL_LIMITS.maxFrameBytes);
    const opened = frames.open(frames.seal(envelope));
    expect(opened).toMatchObject({ ok: true, envelope: { id: envelope.id, sdp: envelope.sdp } });
  });

  it('refuses a frame sealed with another secret', () => {
    const ours = createClusterFrames(SECRET, 'node-a', 30_000);
    const theirs = createClusterFrames('another-secret-0123456789', 'node-b', 30_000);
    const envelope = createEnvelope(
      { type: 'ringing', callId: nanoid(), from: 'alice', fromDevice: 'a', to: 'bob' },
      nanoid(),
    );
    expect(ours.open(theirs.seal(envelope))).toMatchObject({ ok: false, code: 'cluster-bad-signature' });
  });
});
