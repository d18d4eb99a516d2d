// The words the page shows for the peer's side of the call (#peer-state) and for a held call (the call
// state line), for every combination the browser test does not reach in one run.
import type { CallView, MediaState } from '@handset/core';
import { describe, expect, test } from 'vitest';
import { describeCallState } from '../src/call-status-text.js';
import { describePeerState } from '../src/peer-state-text.js';

const ALL_ON: MediaState = { microphone: true, camera: true, screen: false, held: false, video: true };

function view(overrides: Partial<CallView> & { remote?: Partial<MediaState> }): CallView {
  const { remote, ...rest } = overrides;
  return {
    callId: 'c1',
    state: 'connected',
    direction: 'outgoing',
    peerId: '20000',
    media: { audio: true, video: true },
    localStream: null,
    remoteStream: null,
    endReason: null,
    metadata: null,
    localMedia: ALL_ON,
    remoteMedia: { ...ALL_ON, ...remote },
    hold: 'none',
    ...rest,
  };
}

describe('the peer state in words', () => {
  test('an ordinary call says nothing', () => {
    expect(describePeerState(view({}))).toEqual([]);
  });

  test('each change the peer made is one sentence', () => {
    expect(
      describePeerState(
        view({ state: 'on-hold', hold: 'both', remote: { microphone: false, camera: false } }),
      ),
    ).toEqual([
      '20000 put the call on hold',
      '20000 muted their microphone',
      '20000 turned their camera off',
    ]);
  });

  test('a shared screen is not also reported as the camera being off', () => {
    expect(describePeerState(view({ remote: { screen: true, camera: false } }))).toEqual([
      '20000 is sharing their screen',
    ]);
  });

  test('an audio-only peer has no camera to turn off', () => {
    expect(describePeerState(view({ remote: { video: false, camera: false } }))).toEqual([]);
  });

  test('only this side holding says nothing about the peer', () => {
    expect(describePeerState(view({ state: 'on-hold', hold: 'local' }))).toEqual([]);
  });

  test('before connecting and after the end, the peer has told nothing', () => {
    for (const state of ['ringing', 'incoming', 'connecting', 'ended'] as const) {
      expect(describePeerState(view({ state, remote: { microphone: false } }))).toEqual([]);
    }
  });
});

describe('a held call in the call state line', () => {
  test.each([
    ['local', 'You put the call with 20000 on hold'],
    ['remote', '20000 put the call on hold'],
    ['both', 'On hold: you and 20000 both put the call on hold'],
  ] as const)('held by %s', (hold, line) => {
    expect(describeCallState(view({ state: 'on-hold', hold }))).toBe(line);
  });
});
