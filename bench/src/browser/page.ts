// The bench page: one call at a time between two parties in this page, timed from the moment the
// caller asks for the call to ICE connected (Handset: the `connected` state) on each side.
import { createMqttTransport } from '@handset/adapter-mqtt';
import { createWsTransport } from '@handset/adapter-ws';
import { type CallView, createPhone, type PeerConnectionPort, type SignalingTransport } from '@handset/core';
import { Peer } from 'peerjs';
import { filter, firstValueFrom } from 'rxjs';
import { firstDecodedFrame } from './decoded-frame.js';
import {
  iceConnected,
  installLoopbackPeerConnection,
  LoopbackPeerConnection,
} from './loopback-peer-connection.js';
import { rawRelayed } from './raw-relayed.js';
import {
  beginMarks,
  installMediaMarks,
  installSocketMarks,
  markStep,
  profileSetupWindow,
  type SetupMarks,
  setupWindowEnds,
  takeMarks,
} from './setup-marks.js';

installLoopbackPeerConnection();
installMediaMarks();
installSocketMarks();

/**
 * Handset's own timeline (its sends, receipts and states) costs work in the page that the other systems do
 * not pay: taken only when the bench asks for it (`HANDSET_BENCH_TIMELINES`).
 */
let traceHandset = false;

export interface CallTiming {
  callerMs: number;
  calleeMs: number;
  /** To the first remote video frame decoded on each side. */
  callerFrameMs: number;
  calleeFrameMs: number;
  /** Handset only: what happened when (ms from the call's start), for the bench's timeline. */
  timeline?: string[];
  /** Every system: the same setup steps marked at the page's edges (setup-marks.ts). */
  marks: SetupMarks;
}

const MEDIA = { audio: true, video: true };
// The phone may ask for a device by id (`{ deviceId: { exact } }`), which getUserMedia takes as it is.
// Looked up at each call: setup-marks.ts wraps the page's getUserMedia.
const getUserMedia = (media: MediaStreamConstraints) => navigator.mediaDevices.getUserMedia(media);

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms)),
  ]);
}

export type HandsetParty = { userId: string; transport: () => SignalingTransport };

/** A peer connection factory for one phone, and the first connection it made. */
function madeConnection(): {
  factory: (config: RTCConfiguration) => PeerConnectionPort;
  pc: Promise<RTCPeerConnection>;
} {
  let resolve: (pc: RTCPeerConnection) => void = () => {};
  const pc = new Promise<RTCPeerConnection>((r) => {
    resolve = r;
  });
  return {
    factory: (config) => {
      const connection = new LoopbackPeerConnection(config);
      resolve(connection);
      return connection as unknown as PeerConnectionPort;
    },
    pc,
  };
}

/**
 * Marks each side's signaling sends and receipts, call states and ICE/connection states, in ms from
 * `started`: where a Handset call's time goes next to the raw pair's.
 */
function traceCall(
  started: number,
  transports: [SignalingTransport, SignalingTransport],
  made: readonly ReturnType<typeof madeConnection>[],
  phones: [ReturnType<typeof createPhone>, ReturnType<typeof createPhone>],
): string[] {
  const marks: string[] = [];
  const mark = (what: string) => marks.push(`${Math.round(performance.now() - started)} ${what}`);
  const sides = ['caller', 'callee'] as const;
  transports.forEach((transport, index) => {
    const side = sides[index];
    const send = transport.send.bind(transport);
    transport.send = (envelope) => {
      // Which candidates left (address and transport): only 127.0.0.1 ones can connect in this page.
      const detail =
        envelope.type === 'candidates'
          ? ` [${envelope.candidates.map((c) => c.candidate.split(' ').slice(2, 5).reverse().join(' ')).join(', ')}${envelope.end ? '; end' : ''}]`
          : '';
      mark(`${side} sends ${envelope.type}${detail}`);
      send(envelope);
    };
    transport.incoming$.subscribe((frame) => {
      const type = (JSON.parse(frame) as { type?: string }).type;
      mark(`${side} receives ${type}`);
    });
  });
  phones.forEach((phone, index) => {
    let last = '';
    phone.call$.subscribe((view) => {
      if (view.state === last) return;
      last = view.state;
      mark(`${sides[index]} state ${last}`);
    });
  });
  made.forEach(({ pc }, index) => {
    void pc.then((connection) => {
      mark(`${sides[index]} peer connection made`);
      connection.addEventListener('iceconnectionstatechange', () =>
        mark(`${sides[index]} ice ${connection.iceConnectionState}`),
      );
      connection.addEventListener('icegatheringstatechange', () =>
        mark(`${sides[index]} gathering ${connection.iceGatheringState}`),
      );
    });
  });
  return marks;
}

async function handsetCall(caller: HandsetParty, callee: HandsetParty): Promise<CallTiming> {
  const transports = [caller.transport(), callee.transport()];
  try {
    await Promise.all(
      transports.map((t) =>
        withTimeout(firstValueFrom(t.status$.pipe(filter((s) => s === 'open'))), 15_000, 'link'),
      ),
    );
    // Each side's peer connection, as its phone makes it (the first one: one call per phone here).
    const made = [madeConnection(), madeConnection()] as const;
    const [a, b] = [caller, callee].map((party, index) =>
      createPhone({
        userId: party.userId,
        transport: transports[index] as SignalingTransport,
        peerConnectionFactory: (made[index] as ReturnType<typeof madeConnection>).factory,
        getUserMedia,
      }),
    ) as [ReturnType<typeof createPhone>, ReturnType<typeof createPhone>];
    b.events$.subscribe((event) => {
      if (event.type === 'incoming-call') b.answerCall();
    });
    const connected = (phone: typeof a) =>
      firstValueFrom(
        phone.call$.pipe(filter((view: CallView) => view.state === 'connected' || view.state === 'ended')),
      );
    const started = beginMarks();
    const timeline = traceHandset
      ? traceCall(started, transports as [SignalingTransport, SignalingTransport], made, [a, b])
      : undefined;
    const times = [a, b].map((phone, index) =>
      connected(phone).then((view) => {
        if (view.state !== 'connected') throw new Error(`call ended: ${view.endReason?.code}`);
        // When the app hears of it: the others' clocks stop at ICE connected, which the step table has too.
        markStep(index === 0 ? 'caller' : 'callee', 'Handset state connected');
        return performance.now() - started;
      }),
    );
    const frames = made.map(({ pc }) => pc.then(firstDecodedFrame).then((at) => at - started));
    a.makeCall(callee.userId, MEDIA);
    const [callerMs = 0, calleeMs = 0] = await withTimeout(Promise.all(times), 20_000, 'call');
    setupWindowEnds();
    const [callerFrameMs = 0, calleeFrameMs = 0] = await withTimeout(Promise.all(frames), 20_000, 'frame');
    a.hangupCall();
    await withTimeout(firstValueFrom(b.call$.pipe(filter((v) => v.state === 'ended'))), 10_000, 'hangup');
    for (const phone of [a, b]) phone.dispose();
    return {
      callerMs,
      calleeMs,
      callerFrameMs,
      calleeFrameMs,
      marks: takeMarks(),
      ...(timeline ? { timeline } : {}),
    };
  } finally {
    for (const transport of transports) transport.close();
  }
}

export function handsetWs(
  url: string,
  callerId: string,
  callerToken: string,
  calleeId: string,
  calleeToken: string,
) {
  return handsetCall(
    { userId: callerId, transport: () => createWsTransport({ url, token: callerToken }) },
    { userId: calleeId, transport: () => createWsTransport({ url, token: calleeToken }) },
  );
}

export function handsetMqtt(
  url: string,
  callerId: string,
  callerToken: string,
  calleeId: string,
  calleeToken: string,
) {
  const transport = (userId: string, token: string) => () =>
    createMqttTransport({ url, userId, token, sessionExpirySeconds: 0 });
  return handsetCall(
    { userId: callerId, transport: transport(callerId, callerToken) },
    { userId: calleeId, transport: transport(calleeId, calleeToken) },
  );
}

/** From `makeCall` to a user nobody is connected as, until the call ends; its end reason with it. */
export async function handsetOffline(
  kind: 'ws' | 'mqtt',
  url: string,
  callerId: string,
  callerToken: string,
  calleeId: string,
): Promise<{ ms: number; reason: string }> {
  const transport =
    kind === 'ws'
      ? createWsTransport({ url, token: callerToken })
      : createMqttTransport({ url, userId: callerId, token: callerToken, sessionExpirySeconds: 0 });
  try {
    await withTimeout(firstValueFrom(transport.status$.pipe(filter((s) => s === 'open'))), 15_000, 'link');
    const phone = createPhone({
      userId: callerId,
      transport,
      peerConnectionFactory: (config) => new LoopbackPeerConnection(config) as unknown as PeerConnectionPort,
      getUserMedia,
    });
    const ended = firstValueFrom(phone.call$.pipe(filter((view: CallView) => view.state === 'ended')));
    const started = performance.now();
    phone.makeCall(calleeId, MEDIA);
    const view = await withTimeout(ended, 40_000, 'offline call');
    const ms = performance.now() - started;
    phone.dispose();
    return { ms, reason: view.endReason?.code ?? 'none' };
  } finally {
    transport.close();
  }
}

export async function peerjs(port: number, callerId: string, calleeId: string): Promise<CallTiming> {
  const options = {
    host: '127.0.0.1',
    port,
    path: '/',
    key: 'peerjs',
    secure: false,
    config: { iceServers: [] },
  };
  const peers = [new Peer(callerId, options), new Peer(calleeId, options)] as const;
  const streams: MediaStream[] = [];
  try {
    await withTimeout(
      Promise.all(
        peers.map(
          (peer) =>
            new Promise<void>((resolve, reject) => {
              peer.on('open', () => resolve());
              peer.on('error', reject);
            }),
        ),
      ),
      15_000,
      'PeerJS open',
    );
    const [a, b] = peers;
    let calleeFrame: Promise<number> = new Promise(() => {});
    const calleeConnected = new Promise<number>((resolve) => {
      b.on('call', (call) => {
        void getUserMedia(MEDIA).then((stream) => {
          streams.push(stream);
          call.answer(stream);
          calleeFrame = firstDecodedFrame(call.peerConnection);
          void iceConnected(call.peerConnection).then(() => resolve(performance.now()));
        });
      });
    });
    const started = beginMarks();
    const stream = await getUserMedia(MEDIA);
    streams.push(stream);
    const call = a.call(calleeId, stream);
    const callerFrame = firstDecodedFrame(call.peerConnection);
    await withTimeout(iceConnected(call.peerConnection), 20_000, 'PeerJS caller');
    const callerMs = performance.now() - started;
    const calleeMs = (await withTimeout(calleeConnected, 20_000, 'PeerJS callee')) - started;
    setupWindowEnds();
    const callerFrameMs = (await withTimeout(callerFrame, 20_000, 'PeerJS caller frame')) - started;
    const calleeFrameMs = (await withTimeout(calleeFrame, 20_000, 'PeerJS callee frame')) - started;
    call.close();
    return { callerMs, calleeMs, callerFrameMs, calleeFrameMs, marks: takeMarks() };
  } finally {
    for (const stream of streams) for (const track of stream.getTracks()) track.stop();
    for (const peer of peers) peer.destroy();
  }
}

/** The limit: two peer connections in this page, descriptions and candidates handed over directly. */
export async function raw(): Promise<CallTiming> {
  const config = { iceServers: [] };
  // Made after the clock's start, as every other system's are: that is how their sides are told apart.
  const started = beginMarks();
  const pcs = [new LoopbackPeerConnection(config), new LoopbackPeerConnection(config)] as const;
  const streams: MediaStream[] = [];
  const [a, b] = pcs;
  try {
    a.addEventListener('icecandidate', (event) => {
      if (event.candidate) void b.addIceCandidate(event.candidate);
    });
    b.addEventListener('icecandidate', (event) => {
      if (event.candidate) void a.addIceCandidate(event.candidate);
    });
    const times = pcs.map((pc) => iceConnected(pc).then(() => performance.now() - started));
    const frames = pcs.map((pc) => firstDecodedFrame(pc).then((at) => at - started));
    const callerStream = await getUserMedia(MEDIA);
    streams.push(callerStream);
    for (const track of callerStream.getTracks()) a.addTrack(track, callerStream);
    await a.setLocalDescription(await a.createOffer());
    await b.setRemoteDescription(a.localDescription as RTCSessionDescriptionInit);
    const calleeStream = await getUserMedia(MEDIA);
    streams.push(calleeStream);
    for (const track of calleeStream.getTracks()) b.addTrack(track, calleeStream);
    await b.setLocalDescription(await b.createAnswer());
    await a.setRemoteDescription(b.localDescription as RTCSessionDescriptionInit);
    const [callerMs = 0, calleeMs = 0] = await withTimeout(Promise.all(times), 20_000, 'raw pair');
    setupWindowEnds();
    const [callerFrameMs = 0, calleeFrameMs = 0] = await withTimeout(
      Promise.all(frames),
      20_000,
      'raw pair frame',
    );
    return { callerMs, calleeMs, callerFrameMs, calleeFrameMs, marks: takeMarks() };
  } finally {
    for (const stream of streams) for (const track of stream.getTracks()) track.stop();
    for (const pc of pcs) pc.close();
  }
}

Object.assign(globalThis, {
  handsetBench: {
    handsetWs,
    handsetMqtt,
    handsetOffline,
    peerjs,
    raw,
    rawRelayed,
    traceHandset: (on: boolean) => {
      traceHandset = on;
    },
    profileSetupWindow,
  },
});
