// The vocabulary of a call's controls (microphone, camera, hold, screen, devices, video, messages): the events
// that work them, the conditions rows read, and the media state a side sends. Part of spec-world.ts's words.
import type { World } from './spec-world.js';

/**
 * The controls of a call under way and what answers them: the user's buttons, the camera or screen being
 * opened (`op.*(camera)`, `op.*(screen)`: their own operations, beside whatever the call waits on), a device
 * that ends by itself (unplugged; the browser's "Stop sharing"), and the peer's `media-state` messages.
 */
export const IN_CALL_EVENTS = [
  'remote.invite(peer, audio only)',
  'user.answer(audio only)',
  'user.microphone(off)',
  'user.microphone(on)',
  'user.camera(off)',
  'user.camera(on)',
  'user.hold',
  'user.resume',
  'user.shareScreen',
  'user.stopScreenShare',
  'user.switchDevice(microphone)',
  'user.switchDevice(camera)',
  'user.startVideo',
  'user.stopVideo',
  'op.ok(camera)',
  'op.denied(camera)',
  'op.ok(screen)',
  'op.denied(screen)',
  'op.ok(device)',
  'op.denied(device)',
  'track.ended(microphone)',
  'track.ended(camera)',
  'track.ended(screen)',
  'remote.mediaState(held)',
  'remote.mediaState(resumed)',
  'remote.mediaState(muted)',
  'remote.mediaState(stale)',
  'remote.mediaState(other device)',
  'channel.open',
  'channel.closed',
  'channel.message',
  'channel.message(not text)',
  'channel.message(too large)',
  'user.message',
] as const;
export type InCallEvent = (typeof IN_CALL_EVENTS)[number];
const IN_CALL = new Set<string>(IN_CALL_EVENTS);
export const isInCallEvent = (event: string): event is InCallEvent => IN_CALL.has(event);

/** Named conditions on the controls a row may require (spec-world.ts's CONDITIONS include them). */
export const CONTROL_CONDITIONS = {
  'media in hand': (w: World) => w.media,
  'no media yet': (w: World) => !w.media,
  'microphone on': (w: World) => w.mic,
  'microphone off': (w: World) => !w.mic,
  'camera on': (w: World) => w.video && w.camera === 'on' && w.screen !== 'on',
  'camera off': (w: World) => w.video && w.camera === 'off' && w.screen !== 'on',
  'camera opening': (w: World) => w.camera === 'opening',
  'camera on, sharing': (w: World) => w.video && w.camera === 'on' && w.screen === 'on',
  'camera off, sharing': (w: World) => w.video && w.camera === 'off' && w.screen === 'on',
  'peer has spoken': (w: World) => w.peerSpoke,
  'not sharing': (w: World) => w.screen === 'off',
  'screen opening': (w: World) => w.screen === 'opening',
  sharing: (w: World) => w.screen === 'on',
  'sharing with video': (w: World) => w.screen === 'on' && w.video,
  'sharing, audio only': (w: World) => w.screen === 'on' && !w.video,
  'video call': (w: World) => w.video,
  'audio only': (w: World) => !w.video,
  'audio only, not sharing': (w: World) => !w.video && w.screen === 'off' && w.camera !== 'opening',
  'not switching': (w: World) => w.switching === null,
  'switching microphone': (w: World) => w.switching === 'microphone',
  'switching camera': (w: World) => w.switching === 'camera',
  'camera was on': (w: World) => w.camera === 'on',
  'camera was off': (w: World) => w.camera !== 'on',
  'camera settled': (w: World) => w.camera !== 'opening',
  'camera opening, video call': (w: World) => w.camera === 'opening' && w.video,
  'camera opening, audio only': (w: World) => w.camera === 'opening' && !w.video,
  'not switching camera': (w: World) => w.switching !== 'camera',
  'camera not live': (w: World) => !(w.video && w.camera === 'on' && w.screen !== 'on'),
  'channel waiting': (w: World) => w.channel === 'waiting',
  'channel open': (w: World) => w.channel === 'open',
  'microphone live': (w: World) => w.media && !w.micLost,
  'camera live': (w: World) => w.media && w.video && w.camera === 'on' && w.screen !== 'on',
  'nobody holds': (w: World) => w.hold === 'none',
  'we do not hold': (w: World) => w.hold === 'none' || w.hold === 'remote',
  'someone holds': (w: World) => w.hold !== 'none',
  'only we hold': (w: World) => w.hold === 'local',
  'only the peer holds': (w: World) => w.hold === 'remote',
  'both hold': (w: World) => w.hold === 'both',
} satisfies Record<string, (w: World) => boolean>;

/** The media state this side sends after the step, read from the world it leads to. */
export const MEDIA_STATE = '…media state';

/**
 * What this side's `media-state` says in a world, in the message notation: `media-state:` and the parts that
 * are on, in a fixed order (`media-state:microphone+camera+video` is a call with nothing changed).
 */
export function mediaStateMessage(w: World): string {
  const on = [
    w.mic && 'microphone',
    w.video && w.camera === 'on' && w.screen !== 'on' && 'camera',
    w.screen === 'on' && 'screen',
    (w.hold === 'local' || w.hold === 'both') && 'held',
    w.video && 'video',
  ].filter(Boolean);
  return `media-state:${on.join('+') || 'nothing'}`;
}

/** The media state every call starts with: nothing said until something differs from it. */
export const DEFAULT_MEDIA_STATE = 'media-state:microphone+camera+video';

/** A row's `to` that asks renegotiation for an offer (the media directions changed). */
export const RENEGOTIATE = 'renegotiate';
