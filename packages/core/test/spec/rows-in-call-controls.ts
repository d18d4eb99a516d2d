// The table, part three: the controls of a call — microphone and camera (set before the call connects too),
// hold and resume from either side, screen sharing, device switches and devices lost, audio-only to video
// and back, and the peer's media-state messages. Written from the in-call contract; read with README.md.
// A changed media state is said to the peer (`…media state`: what this side sends after the step) only while
// connected; entering `connected` says it once if it differs from what every call starts with.

import {
  BEFORE_CONNECTED,
  CALLEE_MEDIA,
  CHECKING,
  CONNECTED,
  CONNECTING,
  IDLE,
  INCOMING,
  LIVE,
  NEGOTIATION_BUSY,
  NEGOTIATION_IDLE,
  type Row,
} from './spec-places.js';
import { CALL_IDS, type Condition, MEDIA_STATE, RENEGOTIATE, type SpecEvent } from './spec-world.js';

/** The same rule for a button and for what the platform does by itself (the browser's "Stop sharing"). */
const both = (events: readonly SpecEvent[], row: Omit<Row, 'on'>): Row[] =>
  events.map((on) => ({ ...row, on }));

/** Hold and resume change the media directions: an offer now, or once renegotiation is idle again. */
const holdRows = (on: SpecEvent, cases: readonly [Condition, Row['set']][]): Row[] =>
  cases.flatMap(([condition, set]) => [
    { in: NEGOTIATION_IDLE, on, if: [condition], set, to: RENEGOTIATE, send: [MEDIA_STATE] },
    { in: NEGOTIATION_BUSY, on, if: [condition], set, to: RENEGOTIATE, send: [MEDIA_STATE] },
  ]);

/** The peer's media state: its hold shows in ours; anything else it says changes nothing we send. */
const peerSays = (on: SpecEvent, cases: readonly [Condition, Row['set']][]): Row[] =>
  cases.map(([condition, set]) => ({
    in: [CONNECTED],
    on,
    if: [condition],
    set: { ...set, peerSpoke: true },
  }));

export const IN_CALL_CONTROL_ROWS: readonly Row[] = [
  // ── an audio-only call has no camera: its switch is not there to press ──
  {
    in: [IDLE],
    on: 'remote.invite(peer, audio only)',
    to: INCOMING,
    send: ['ringing'],
    set: { direction: 'incoming', callId: CALL_IDS.theirs, video: false, camera: 'off' },
  },
  // A video call answered with audio only: this side sends no video (the peer's may still come).
  {
    in: [INCOMING],
    on: 'user.answer(audio only)',
    if: ['video call'],
    to: CALLEE_MEDIA,
    set: { video: false, camera: 'off' },
  },

  // ── microphone: muting keeps the track (unmute is instant); before the call connects it is remembered ──
  { in: BEFORE_CONNECTED, on: 'user.microphone(off)', if: ['microphone on'], set: { mic: false } },
  { in: BEFORE_CONNECTED, on: 'user.microphone(on)', if: ['microphone off'], set: { mic: true } },
  {
    in: [CONNECTED],
    on: 'user.microphone(off)',
    if: ['microphone on'],
    set: { mic: false },
    send: [MEDIA_STATE],
  },
  {
    in: [CONNECTED],
    on: 'user.microphone(on)',
    if: ['microphone off'],
    set: { mic: true },
    send: [MEDIA_STATE],
  },
  // Unplugged: reported, and treated as muted (the peer is told once connected).
  {
    in: BEFORE_CONNECTED,
    on: 'track.ended(microphone)',
    if: ['microphone live', 'not switching'],
    set: { mic: false, micLost: true },
    warn: 'device-lost',
  },
  {
    in: [CONNECTED],
    on: 'track.ended(microphone)',
    if: ['microphone live', 'microphone on', 'not switching'],
    set: { mic: false, micLost: true },
    send: [MEDIA_STATE],
    warn: 'device-lost',
  },
  {
    in: [CONNECTED],
    on: 'track.ended(microphone)',
    if: ['microphone live', 'microphone off', 'not switching'],
    set: { micLost: true },
    warn: 'device-lost',
  },

  // ── camera: off stops its track (the light goes off); on opens it again and sends it, no renegotiation ──
  // Before there is media the choice is remembered; an audio-only call has no camera to switch.
  {
    in: BEFORE_CONNECTED,
    on: 'user.camera(off)',
    if: ['camera on', 'not switching camera'],
    set: { camera: 'off' },
  },
  // Off while another camera is being opened: the switch is abandoned (a camera that opens late is stopped).
  {
    in: BEFORE_CONNECTED,
    on: 'user.camera(off)',
    if: ['camera on', 'switching camera'],
    set: { camera: 'off', switching: null },
  },
  { in: BEFORE_CONNECTED, on: 'user.camera(on)', if: ['camera off', 'no media yet'], set: { camera: 'on' } },
  {
    in: BEFORE_CONNECTED,
    on: 'user.camera(on)',
    if: ['camera off', 'media in hand'],
    set: { camera: 'opening' },
  },
  {
    in: [CONNECTED],
    on: 'user.camera(off)',
    if: ['camera on', 'not switching camera'],
    set: { camera: 'off' },
    send: [MEDIA_STATE],
  },
  {
    in: [CONNECTED],
    on: 'user.camera(off)',
    if: ['camera on', 'switching camera'],
    set: { camera: 'off', switching: null },
    send: [MEDIA_STATE],
  },
  // Off again before the camera opened: a camera that opens late is stopped at once.
  { in: LIVE, on: 'user.camera(off)', if: ['camera opening, video call'], set: { camera: 'off' } },
  { in: [CONNECTED], on: 'user.camera(on)', if: ['camera off'], set: { camera: 'opening' } },
  // While the screen goes instead of the camera, the camera's switch only says what comes back after.
  { in: [CONNECTED], on: 'user.camera(off)', if: ['camera on, sharing'], set: { camera: 'off' } },
  { in: [CONNECTED], on: 'user.camera(on)', if: ['camera off, sharing'], set: { camera: 'on' } },
  { in: BEFORE_CONNECTED, on: 'op.ok(camera)', if: ['camera opening'], set: { camera: 'on' } },
  {
    in: [CONNECTED],
    on: 'op.ok(camera)',
    if: ['camera opening', 'video call'],
    set: { camera: 'on' },
    send: [MEDIA_STATE],
  },
  // Refused (or no camera): the call goes on with the camera off.
  {
    in: LIVE,
    on: 'op.denied(camera)',
    if: ['camera opening', 'video call'],
    set: { camera: 'off' },
    warn: 'device-failed',
  },
  {
    in: BEFORE_CONNECTED,
    on: 'track.ended(camera)',
    if: ['camera live', 'not switching'],
    set: { camera: 'off' },
    warn: 'device-lost',
  },
  {
    in: [CONNECTED],
    on: 'track.ended(camera)',
    if: ['camera live', 'not switching'],
    set: { camera: 'off' },
    send: [MEDIA_STATE],
    warn: 'device-lost',
  },

  // ── switching a device (once there is media): the new one replaces the old on its sender, no
  // renegotiation, nothing to say; a camera that is off (or replaced by a screen) is only remembered ──
  {
    in: LIVE,
    on: 'user.switchDevice(microphone)',
    if: ['media in hand', 'not switching'],
    set: { switching: 'microphone' },
  },
  {
    in: LIVE,
    on: 'user.switchDevice(camera)',
    if: ['media in hand', 'not switching', 'camera live'],
    set: { switching: 'camera' },
  },
  { in: LIVE, on: 'user.switchDevice(camera)', if: ['media in hand', 'not switching', 'camera not live'] },
  { in: LIVE, on: 'op.ok(device)', if: ['switching microphone'], set: { switching: null, micLost: false } },
  { in: LIVE, on: 'op.ok(device)', if: ['switching camera'], set: { switching: null } },
  // The device cannot be opened: the old one stays (switchDevice rejects `device-failed`).
  {
    in: LIVE,
    on: 'op.denied(device)',
    if: ['switching microphone'],
    set: { switching: null },
    warn: 'device-failed',
  },
  {
    in: LIVE,
    on: 'op.denied(device)',
    if: ['switching camera'],
    set: { switching: null },
    warn: 'device-failed',
  },

  // ── hold and resume (connected only), from either side; both holding is a state of its own ──
  ...holdRows('user.hold', [
    ['nobody holds', { hold: 'local' }],
    ['only the peer holds', { hold: 'both' }],
  ]),
  ...holdRows('user.resume', [
    ['only we hold', { hold: 'none' }],
    ['both hold', { hold: 'remote' }],
  ]),
  ...peerSays('remote.mediaState(held)', [
    ['nobody holds', { hold: 'remote' }],
    ['only we hold', { hold: 'both' }],
  ]),
  ...peerSays('remote.mediaState(resumed)', [
    ['only the peer holds', { hold: 'none' }],
    ['both hold', { hold: 'local' }],
  ]),
  // The peer muted (or turned its camera off): shown, nothing to do here.
  { in: [CONNECTED], on: 'remote.mediaState(muted)', set: { peerSpoke: true } },
  // Ordered by seq: an older state delivered late (it says the opposite of the hold) changes nothing.
  { in: [CONNECTED], on: 'remote.mediaState(stale)', if: ['peer has spoken'] },
  // Routed like negotiation: only the device the call is bound to speaks for the peer.
  { in: [CONNECTED], on: 'remote.mediaState(other device)' },
  // The peer connected first and says so while ICE still checks here: remembered, shown once connected.
  { in: [CONNECTING], on: 'remote.mediaState(muted)', set: { peerSpoke: true } },
  {
    in: [CONNECTING],
    on: 'remote.mediaState(held)',
    if: ['nobody holds'],
    set: { hold: 'remote', peerSpoke: true },
  },
  {
    in: [CONNECTING],
    on: 'remote.mediaState(resumed)',
    if: ['only the peer holds'],
    set: { hold: 'none', peerSpoke: true },
  },

  // ── screen sharing (connected only): the screen goes instead of the camera on the one video sender ──
  {
    in: [CONNECTED],
    on: 'user.shareScreen',
    if: ['not sharing', 'camera settled', 'not switching'],
    set: { screen: 'opening' },
  },
  // Stopped before the picker answered: a screen that opens late is stopped at once.
  { in: [CONNECTED], on: 'user.stopScreenShare', if: ['screen opening'], set: { screen: 'off' } },
  {
    in: [CONNECTED],
    on: 'op.ok(screen)',
    if: ['screen opening', 'video call'],
    set: { screen: 'on' },
    send: [MEDIA_STATE],
  },
  // An audio-only call has no video sender: the screen is added by renegotiation.
  {
    in: [CONNECTED],
    on: 'op.ok(screen)',
    if: ['screen opening', 'audio only'],
    set: { screen: 'on' },
    to: RENEGOTIATE,
    send: [MEDIA_STATE],
  },
  // Refused (the user cancelled the picker): startScreenShare rejects; the call goes on as it was.
  { in: [CONNECTED], on: 'op.denied(screen)', if: ['screen opening'], set: { screen: 'off' } },
  // Stopped by the button or by the browser's own bar: the camera comes back if it was on (opened again).
  ...both(['user.stopScreenShare', 'track.ended(screen)'], {
    in: [CONNECTED],
    if: ['sharing with video', 'camera was on'],
    set: { screen: 'off', camera: 'opening' },
    send: [MEDIA_STATE],
  }),
  ...both(['user.stopScreenShare', 'track.ended(screen)'], {
    in: [CONNECTED],
    if: ['sharing with video', 'camera was off'],
    set: { screen: 'off' },
    send: [MEDIA_STATE],
  }),
  ...both(['user.stopScreenShare', 'track.ended(screen)'], {
    in: [CONNECTED],
    if: ['sharing, audio only'],
    set: { screen: 'off' },
    to: RENEGOTIATE,
    send: [MEDIA_STATE],
  }),

  // ── audio-only to video and back (connected; either side may): by renegotiation ──
  // Stopping: the camera's track stops and its transceiver stops sending.
  {
    in: [CONNECTED],
    on: 'user.stopVideo',
    if: ['camera on', 'not sharing'],
    set: { video: false, camera: 'off' },
    to: RENEGOTIATE,
    send: [MEDIA_STATE],
  },
  {
    in: [CONNECTED],
    on: 'user.stopVideo',
    if: ['camera off', 'not sharing'],
    set: { video: false, camera: 'off' },
    to: RENEGOTIATE,
    send: [MEDIA_STATE],
  },
  {
    in: [CONNECTED],
    on: 'user.stopVideo',
    if: ['camera opening, video call'],
    set: { video: false, camera: 'off' },
    to: RENEGOTIATE,
    send: [MEDIA_STATE],
  },
  // Starting: the camera is opened first; once it is, it is added and offered. Not while this side holds
  // (the phone refuses it: a held call sends nothing, and resume restores what the call had).
  {
    in: [CONNECTED],
    on: 'user.startVideo',
    if: ['audio only, not sharing', 'we do not hold'],
    set: { camera: 'opening' },
  },
  {
    in: [CONNECTED],
    on: 'op.ok(camera)',
    if: ['camera opening', 'audio only'],
    set: { camera: 'on', video: true },
    to: RENEGOTIATE,
    send: [MEDIA_STATE],
  },
  {
    in: [CONNECTED],
    on: 'op.denied(camera)',
    if: ['camera opening', 'audio only'],
    set: { camera: 'off' },
    warn: 'device-failed',
  },
  // Changed its mind while the camera opened: nothing was offered yet.
  { in: [CONNECTED], on: 'user.stopVideo', if: ['camera opening, audio only'], set: { camera: 'off' } },

  // ── in-call messages: the call's data channel, opened with ICE (before this side saw ICE up, maybe) ──
  { in: [CHECKING, CONNECTED], on: 'channel.open', if: ['channel waiting'], set: { channel: 'open' } },
  { in: [CONNECTED], on: 'channel.closed', if: ['channel waiting'], set: { channel: 'closed' } },
  { in: [CONNECTED], on: 'channel.closed', if: ['channel open'], set: { channel: 'closed' } },
  // Sent on the channel, not through signaling.
  { in: [CONNECTED], on: 'user.message', if: ['channel open'] },
  // Connected, but SCTP is not open yet (it opens just after ICE): kept, and sent in order once it is.
  { in: [CONNECTED], on: 'user.message', if: ['channel waiting'] },
  // One frame, one message for the app; a hostile frame is dropped with a warning and the call goes on.
  { in: [CHECKING, CONNECTED], on: 'channel.message', if: ['channel open'], emit: ['message'] },
  {
    in: [CHECKING, CONNECTED],
    on: 'channel.message(not text)',
    if: ['channel open'],
    warn: 'invalid-envelope',
  },
  {
    in: [CHECKING, CONNECTED],
    on: 'channel.message(too large)',
    if: ['channel open'],
    warn: 'message-too-large',
  },
];
