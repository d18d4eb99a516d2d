// How the driver makes the controls of a call happen to the real machine: the user's buttons as the phone
// sends them, the camera, screen or device the call is opening settled by the test, a local track that
// ends by itself, the peer's media states (numbered as the peer numbers them) and data channel frames.
import type { MediaStreamPort } from '../../src/ports.js';
import { type EnvelopeDraft, PROTOCOL_LIMITS } from '../../src/protocol.js';
import type { FakeMedia, FakePeerConnection, FakeTrack } from '../../src/testing/index.js';
import type { InCallEvent, World } from './spec-world.js';

/** The actors that open media for the controls, by the name the machine gives them. */
export const CONTROL_OPERATIONS = ['openCamera', 'openScreen', 'openDevice'];

/** What the driver needs of the rig to make a control happen. */
export interface ControlTarget {
  send(event: object): void;
  deliver(draft: EnvelopeDraft): void;
  pc(): FakePeerConnection;
  readonly media: FakeMedia;
  resolve(src: string, output: (input: unknown) => unknown): Promise<void>;
  reject(src: string, error: Error): void;
}

/** The user's buttons, as the phone hands them to the call. */
const USER_EVENTS: Partial<Record<InCallEvent, object>> = {
  'user.answer(audio only)': { type: 'user.answer', media: { audio: true, video: false } },
  'user.microphone(off)': { type: 'user.microphone', on: false },
  'user.microphone(on)': { type: 'user.microphone', on: true },
  'user.camera(off)': { type: 'user.camera', on: false },
  'user.camera(on)': { type: 'user.camera', on: true },
  'user.hold': { type: 'user.hold' },
  'user.resume': { type: 'user.resume' },
  'user.shareScreen': { type: 'user.startScreenShare' },
  'user.stopScreenShare': { type: 'user.stopScreenShare' },
  'user.switchDevice(microphone)': {
    type: 'user.switchDevice',
    kind: 'audioinput',
    deviceId: 'second-audio',
  },
  'user.switchDevice(camera)': { type: 'user.switchDevice', kind: 'videoinput', deviceId: 'second-video' },
  'user.startVideo': { type: 'user.startVideo' },
  'user.stopVideo': { type: 'user.stopVideo' },
  'user.message': { type: 'user.message', text: 'hello' },
};

const first = (stream: MediaStreamPort) => stream.getTracks()[0] as FakeTrack;

/** What each stand-in opening yields: a fake track from the rig's media, so the end-of-call checks see it. */
const OPENED: Record<string, (media: FakeMedia, input: unknown) => Promise<FakeTrack>> = {
  openCamera: async (media) => first(await media.getUserMedia({ audio: false, video: true })),
  openScreen: async (media) => first(await media.getDisplayMedia({ video: true, audio: false })),
  openDevice: async (media, input) => {
    const kind = (input as { kind: 'audioinput' | 'videoinput' }).kind;
    const exact = { deviceId: { exact: kind === 'audioinput' ? 'second-audio' : 'second-video' } };
    const request = kind === 'audioinput' ? { audio: exact, video: false } : { audio: false, video: exact };
    return first(await media.getUserMedia(request));
  },
};

const OPERATION_OF: Record<string, string> = {
  camera: 'openCamera',
  screen: 'openScreen',
  device: 'openDevice',
};

function namedError(name: string): Error {
  const error = new Error(`stand-in: ${name}`);
  error.name = name;
  return error;
}

/** The newest live track of the rig's media that is the microphone, the camera or the screen. */
function liveTrack(media: FakeMedia, what: 'microphone' | 'camera' | 'screen'): FakeTrack | undefined {
  const tracks = media.streams.flatMap((stream) => stream.tracks);
  return tracks.findLast((track) => {
    if (track.readyState !== 'live') return false;
    if (what === 'screen') return track.deviceId === 'screen';
    return track.deviceId !== 'screen' && track.kind === (what === 'microphone' ? 'audio' : 'video');
  });
}

/** The peer's media states are numbered from 1, so its seq 0 delivered late is stale. */
export class ControlDriver {
  private peerMediaSeq = 0;

  async perform(event: InCallEvent, w: World, target: ControlTarget, remote: (seq: number) => EnvelopeDraft) {
    const user = USER_EVENTS[event];
    if (user) return target.send(user);
    const opening = /^op\.(ok|denied)\((camera|screen|device)\)$/.exec(event);
    if (opening) {
      const src = OPERATION_OF[opening[2]!]!;
      if (opening[1] === 'ok') return target.resolve(src, (input) => OPENED[src]!(target.media, input));
      return target.reject(src, namedError('NotAllowedError'));
    }
    const ended = /^track\.ended\((microphone|camera|screen)\)$/.exec(event);
    if (ended) {
      const track = liveTrack(target.media, ended[1] as 'microphone' | 'camera' | 'screen');
      if (!track) throw new Error(`no live ${ended[1]} track to end (${event} in ${w.at})`);
      return track.end();
    }
    if (event.startsWith('remote.')) {
      if (event !== 'remote.mediaState(stale)' && event !== 'remote.mediaState(other device)') {
        this.peerMediaSeq += 1;
      }
      return target.deliver(remote(this.peerMediaSeq));
    }
    const channel = target.pc().dataChannels[0];
    if (!channel) throw new Error('the call made no data channel');
    if (event === 'channel.open') return channel.open();
    if (event === 'channel.closed') return channel.close();
    if (event === 'channel.message') return channel.receive('hello');
    if (event === 'channel.message(not text)') return channel.receive(new Uint8Array([1, 2, 3]).buffer);
    if (event === 'channel.message(too large)') {
      return channel.receive('x'.repeat(PROTOCOL_LIMITS.maxCallMessageBytes + 1));
    }
    throw new Error(`the driver does not know how to make ${event} happen`);
  }
}
