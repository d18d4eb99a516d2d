// The in-call bench page: one call at a time between two parties in this page, Handset phones or a raw
// RTCPeerConnection pair, and in it the same four operations timed at the peer (hold, resume, camera
// switch, screen share), each from the moment it is asked for.
import { createWsTransport } from '@handset/adapter-ws';
import {
  type CallView,
  createPhone,
  type MediaRequest,
  type MediaStreamPort,
  type PeerConnectionPort,
  type Phone,
} from '@handset/core';
import { filter, firstValueFrom } from 'rxjs';
import {
  CAMERA_MARKER,
  firstMarkedFrame,
  type Marker,
  markedTrack,
  mediaStopped,
  peerOnHold,
  SCREEN_MARKER,
  stopPainting,
} from './in-call-probes.js';
import {
  iceConnected,
  installLoopbackPeerConnection,
  LoopbackPeerConnection,
} from './loopback-peer-connection.js';

installLoopbackPeerConnection();

/** Milliseconds from asking for each operation to what the peer sees of it. */
export interface InCallTiming {
  /** Hold → the peer's transceivers no longer receive (its inbound RTP bytes then stop: checked, not timed). */
  holdMs: number;
  /** Resume → the peer receives its first video frame again. */
  resumeMs: number;
  /** Camera switch → the peer decodes the first frame of the new (marked) camera. */
  switchMs: number;
  /** Screen share start → the peer decodes the first frame of the (marked) screen. */
  screenMs: number;
}

/** The device id of the "second camera": a marked canvas, since the fake device offers one camera. */
const CANVAS_CAMERA = 'bench-canvas-camera';

/** The page's getUserMedia: the fake camera and microphone, or the marked canvas for CANVAS_CAMERA. */
async function getUserMedia(request: MediaRequest): Promise<MediaStream> {
  const video = request.video;
  if (typeof video === 'object' && video.deviceId.exact === CANVAS_CAMERA) {
    return new MediaStream([markedTrack(CAMERA_MARKER)]);
  }
  return navigator.mediaDevices.getUserMedia(request);
}

/** The page's getDisplayMedia: the marked canvas standing in for a screen. */
async function getDisplayMedia(): Promise<MediaStream> {
  return new MediaStream([markedTrack(SCREEN_MARKER)]);
}

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 1_000));

function remoteVideo(pc: RTCPeerConnection): MediaStreamTrack {
  const track = pc.getReceivers().find((receiver) => receiver.track.kind === 'video')?.track;
  if (!track) throw new Error('no remote video');
  return track;
}

/** Times `act` from its start to the first frame (showing `marker`, if any) on the peer's remote video. */
async function toFrame(peer: RTCPeerConnection, marker: Marker | null, act: () => Promise<void> | void) {
  const frame = firstMarkedFrame(remoteVideo(peer), marker);
  const started = performance.now();
  await act();
  return (await within(frame, 20_000, 'marked frame')) - started;
}

/** The four operations on a connected call, in an order where each leaves the next possible. */
async function operate(
  peer: RTCPeerConnection,
  ops: {
    hold(): void;
    held(): Promise<unknown>;
    resume(): void;
    switchCamera(): Promise<void>;
    shareScreen(): Promise<void>;
  },
): Promise<InCallTiming> {
  await within(firstMarkedFrame(remoteVideo(peer), null), 20_000, 'first frame');
  await settle();
  const started = performance.now();
  ops.hold();
  const holdMs = await peerOnHold(peer, started);
  // Not timed (see peerOnHold), but checked: a hold that leaves media flowing is no hold.
  await mediaStopped(peer, started);
  await within(ops.held(), 10_000, 'hold done');
  const resumeMs = await toFrame(peer, null, ops.resume);
  await settle();
  // The camera is switched before the screen is shared: a switch while sharing only takes effect later.
  const switchMs = await toFrame(peer, CAMERA_MARKER, ops.switchCamera);
  const screenMs = await toFrame(peer, SCREEN_MARKER, ops.shareScreen);
  return { holdMs, resumeMs, switchMs, screenMs };
}

/** Two Handset phones over the WebSocket server, with tokens made by the bench. */
export async function handset(
  url: string,
  callerId: string,
  callerToken: string,
  calleeId: string,
  calleeToken: string,
): Promise<InCallTiming> {
  const transports = [callerToken, calleeToken].map((token) => createWsTransport({ url, token }));
  const connections: RTCPeerConnection[][] = [[], []];
  const phones: Phone[] = [];
  try {
    await Promise.all(
      transports.map((t) =>
        within(firstValueFrom(t.status$.pipe(filter((s) => s === 'open'))), 15_000, 'link'),
      ),
    );
    for (const [index, userId] of [callerId, calleeId].entries()) {
      phones.push(
        createPhone({
          userId,
          transport: transports[index] as (typeof transports)[number],
          peerConnectionFactory: (config) => {
            const pc = new LoopbackPeerConnection(config);
            connections[index]?.push(pc);
            return pc as unknown as PeerConnectionPort;
          },
          getUserMedia: getUserMedia as (request: MediaRequest) => Promise<MediaStreamPort>,
          getDisplayMedia: getDisplayMedia as () => Promise<MediaStreamPort>,
        }),
      );
    }
    const [a, b] = phones as [Phone, Phone];
    b.events$.subscribe((event) => {
      if (event.type === 'incoming-call') b.answerCall();
    });
    const view = (phone: Phone, wanted: (view: CallView) => boolean) =>
      firstValueFrom(phone.call$.pipe(filter((v: CallView) => wanted(v) || v.state === 'ended')));
    a.makeCall(calleeId, { audio: true, video: true });
    const connected = await within(
      Promise.all([a, b].map((phone) => view(phone, (v) => v.state === 'connected'))),
      20_000,
      'call',
    );
    if (connected.some((v) => v.state !== 'connected')) throw new Error('call ended before connecting');
    const peer = connections[1]?.[0];
    if (!peer) throw new Error('callee made no peer connection');
    const timing = await operate(peer, {
      hold: () => a.holdCall(),
      held: () => view(a, (v) => v.state === 'on-hold' && v.hold === 'local'),
      resume: () => a.resumeCall(),
      switchCamera: () => a.switchDevice('videoinput', CANVAS_CAMERA),
      shareScreen: () => a.startScreenShare(),
    });
    a.hangupCall();
    await within(
      view(b, (v) => v.state === 'ended'),
      10_000,
      'hangup',
    );
    return timing;
  } finally {
    for (const phone of phones) phone.dispose();
    for (const transport of transports) transport.close();
    stopPainting();
  }
}

/** Offer from `a`, answer from `b`, handed over directly: the raw pair's signaling. */
async function negotiate(a: RTCPeerConnection, b: RTCPeerConnection): Promise<void> {
  await a.setLocalDescription(await a.createOffer());
  await b.setRemoteDescription(a.localDescription as RTCSessionDescriptionInit);
  await b.setLocalDescription(await b.createAnswer());
  await a.setRemoteDescription(b.localDescription as RTCSessionDescriptionInit);
}

/** The limit: the same operations on two peer connections in this page, with no signaling hop. */
export async function raw(): Promise<InCallTiming> {
  const config = { iceServers: [] };
  const [a, b] = [new LoopbackPeerConnection(config), new LoopbackPeerConnection(config)];
  const tracks: MediaStreamTrack[] = [];
  try {
    a.addEventListener('icecandidate', (event) => {
      if (event.candidate) void b.addIceCandidate(event.candidate);
    });
    b.addEventListener('icecandidate', (event) => {
      if (event.candidate) void a.addIceCandidate(event.candidate);
    });
    for (const pc of [a, b]) {
      const stream = await getUserMedia({ audio: true, video: true });
      for (const track of stream.getTracks()) {
        tracks.push(track);
        pc.addTrack(track, stream);
      }
    }
    await negotiate(a, b);
    await within(Promise.all([iceConnected(a), iceConnected(b)]), 20_000, 'raw pair');
    const setDirection = (direction: RTCRtpTransceiverDirection) => {
      for (const transceiver of a.getTransceivers()) transceiver.direction = direction;
      return negotiate(a, b);
    };
    let holding = Promise.resolve();
    const videoSender = a.getSenders().find((sender) => sender.track?.kind === 'video');
    if (!videoSender) throw new Error('no video sender');
    const replaceVideo = async (stream: Promise<MediaStream>) => {
      const track = (await stream).getVideoTracks()[0] ?? null;
      const old = videoSender.track;
      await videoSender.replaceTrack(track);
      old?.stop();
      if (track) tracks.push(track);
    };
    return await operate(b, {
      hold: () => {
        holding = setDirection('inactive');
      },
      held: () => holding,
      resume: () => {
        void setDirection('sendrecv');
      },
      switchCamera: () =>
        replaceVideo(getUserMedia({ audio: false, video: { deviceId: { exact: CANVAS_CAMERA } } })),
      shareScreen: () => replaceVideo(getDisplayMedia()),
    });
  } finally {
    for (const track of tracks) track.stop();
    for (const pc of [a, b]) pc.close();
    stopPainting();
  }
}

Object.assign(globalThis, { handsetInCallBench: { handset, raw } });
