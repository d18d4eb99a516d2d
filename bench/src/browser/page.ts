// The bench page: one call at a time between two parties in this page, timed from the moment the
// caller asks for the call to ICE connected (Handset: the `connected` state) on each side.
import { createMqttTransport } from '@handset/adapter-mqtt';
import { createWsTransport } from '@handset/adapter-ws';
import { type CallView, createPhone, type PeerConnectionPort, type SignalingTransport } from '@handset/core';
import { Peer } from 'peerjs';
import { filter, firstValueFrom } from 'rxjs';
import {
  iceConnected,
  installLoopbackPeerConnection,
  LoopbackPeerConnection,
} from './loopback-peer-connection.js';

installLoopbackPeerConnection();

export interface CallTiming {
  callerMs: number;
  calleeMs: number;
}

const MEDIA = { audio: true, video: true };
const getUserMedia = (media: { audio: boolean; video: boolean }) =>
  navigator.mediaDevices.getUserMedia(media);

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms)),
  ]);
}

export type HandsetParty = { userId: string; transport: () => SignalingTransport };

async function handsetCall(caller: HandsetParty, callee: HandsetParty): Promise<CallTiming> {
  const transports = [caller.transport(), callee.transport()];
  try {
    await Promise.all(
      transports.map((t) =>
        withTimeout(firstValueFrom(t.status$.pipe(filter((s) => s === 'open'))), 15_000, 'link'),
      ),
    );
    const factory = (config: RTCConfiguration) =>
      new LoopbackPeerConnection(config) as unknown as PeerConnectionPort;
    const [a, b] = [caller, callee].map((party, index) =>
      createPhone({
        userId: party.userId,
        transport: transports[index] as SignalingTransport,
        peerConnectionFactory: factory,
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
    const started = performance.now();
    const times = [a, b].map((phone) =>
      connected(phone).then((view) => {
        if (view.state !== 'connected') throw new Error(`call ended: ${view.endReason?.code}`);
        return performance.now() - started;
      }),
    );
    a.makeCall(callee.userId, MEDIA);
    const [callerMs = 0, calleeMs = 0] = await withTimeout(Promise.all(times), 20_000, 'call');
    a.hangupCall();
    await withTimeout(firstValueFrom(b.call$.pipe(filter((v) => v.state === 'ended'))), 10_000, 'hangup');
    for (const phone of [a, b]) phone.dispose();
    return { callerMs, calleeMs };
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
    const calleeConnected = new Promise<number>((resolve) => {
      b.on('call', (call) => {
        void getUserMedia(MEDIA).then((stream) => {
          streams.push(stream);
          call.answer(stream);
          void iceConnected(call.peerConnection).then(() => resolve(performance.now()));
        });
      });
    });
    const started = performance.now();
    const stream = await getUserMedia(MEDIA);
    streams.push(stream);
    const call = a.call(calleeId, stream);
    await withTimeout(iceConnected(call.peerConnection), 20_000, 'PeerJS caller');
    const callerMs = performance.now() - started;
    const calleeMs = (await withTimeout(calleeConnected, 20_000, 'PeerJS callee')) - started;
    call.close();
    return { callerMs, calleeMs };
  } finally {
    for (const stream of streams) for (const track of stream.getTracks()) track.stop();
    for (const peer of peers) peer.destroy();
  }
}

/** The limit: two peer connections in this page, descriptions and candidates handed over directly. */
export async function raw(): Promise<CallTiming> {
  const config = { iceServers: [] };
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
    const started = performance.now();
    const times = pcs.map((pc) => iceConnected(pc).then(() => performance.now() - started));
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
    return { callerMs, calleeMs };
  } finally {
    for (const stream of streams) for (const track of stream.getTracks()) track.stop();
    for (const pc of pcs) pc.close();
  }
}

Object.assign(globalThis, { handsetBench: { handsetWs, handsetMqtt, peerjs, raw } });
