// The TURN bench page: one call at a time between two parties in this page, direct (host candidates,
// no ICE servers) or relay-only through the bench's coturn, timed to connected and to the first
// decoded remote video frame, with the candidate types of the pair in use read back from getStats.
import { createWsTransport } from '@handset/adapter-ws';
import { type CallView, createPhone, type PeerConnectionPort } from '@handset/core';
import { filter, firstValueFrom } from 'rxjs';
import {
  iceConnected,
  installLoopbackPeerConnection,
  LoopbackPeerConnection,
} from './loopback-peer-connection.js';

installLoopbackPeerConnection();

export type Route = 'direct' | 'relay';

export interface RoutedTiming {
  callerMs: number;
  calleeMs: number;
  /** The callee's first decoded frame of the caller's camera. */
  calleeFrameMs: number;
  /** `<local type>/<remote type>` of each side's selected pair, e.g. `relay/relay`. */
  paths: string[];
}

const MEDIA = { audio: true, video: true };
// The phone may ask for a device by id (`{ deviceId: { exact } }`), which getUserMedia takes as it is.
const getUserMedia = (media: MediaStreamConstraints) => navigator.mediaDevices.getUserMedia(media);

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms)),
  ]);
}

/** The candidate types of the pair the transport selected: what proves a relay row was relayed. */
async function selectedPath(pc: RTCPeerConnection): Promise<string> {
  const stats: Record<string, unknown>[] = [];
  (await pc.getStats()).forEach((report: Record<string, unknown>) => {
    stats.push(report);
  });
  const byId = new Map(stats.map((s) => [s.id, s]));
  const transport = stats.find((s) => s.type === 'transport' && s.selectedCandidatePairId);
  const pair =
    byId.get(transport?.selectedCandidatePairId) ??
    stats.find((s) => s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded');
  const type = (id: unknown) => String(byId.get(id)?.candidateType ?? '?');
  return pair ? `${type(pair.localCandidateId)}/${type(pair.remoteCandidateId)}` : 'none';
}

/** Resolves with the time of the first frame of `stream`'s video that the page decoded and presented. */
function firstFrame(stream: MediaStream, started: number): Promise<number> {
  const video = document.createElement('video');
  video.muted = true;
  video.playsInline = true;
  video.srcObject = stream;
  document.body.append(video);
  const frame = new Promise<number>((resolve) => {
    video.requestVideoFrameCallback(() => resolve(performance.now() - started));
  });
  void video.play().catch(() => undefined);
  return frame.finally(() => {
    video.srcObject = null;
    video.remove();
  });
}

/** Two Handset phones over the bench's signaling server, which hands out TURN credentials in its welcome. */
export async function handsetCall(
  url: string,
  route: Route,
  parties: { userId: string; token: string }[],
): Promise<RoutedTiming> {
  const transports = parties.map(({ token }) => createWsTransport({ url, token }));
  const connections: RTCPeerConnection[] = [];
  try {
    await Promise.all(
      transports.map((t) =>
        withTimeout(firstValueFrom(t.status$.pipe(filter((s) => s === 'open'))), 15_000, 'link'),
      ),
    );
    const factory = (config: RTCConfiguration) => {
      const pc = new LoopbackPeerConnection(config);
      connections.push(pc);
      return pc as unknown as PeerConnectionPort;
    };
    const [a, b] = parties.map((party, index) =>
      createPhone({
        userId: party.userId,
        transport: transports[index] as (typeof transports)[number],
        peerConnectionFactory: factory,
        getUserMedia,
        // Direct: no ICE servers at all (the welcome's TURN set is overridden); relay: the welcome's
        // credentials, used by the phone with no app code, and relay candidates only.
        ...(route === 'direct' ? { iceServers: [] } : { iceTransportPolicy: 'relay' as const }),
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
    const remote = firstValueFrom(b.call$.pipe(filter((view: CallView) => view.remoteStream !== null)));
    const frame = remote.then((view) => firstFrame(view.remoteStream as unknown as MediaStream, started));
    const times = [a, b].map((phone) =>
      connected(phone).then((view) => {
        if (view.state !== 'connected') throw new Error(`call ended: ${view.endReason?.code}`);
        return performance.now() - started;
      }),
    );
    a.makeCall(parties[1]?.userId ?? '', MEDIA);
    const [callerMs = 0, calleeMs = 0] = await withTimeout(Promise.all(times), 20_000, 'call');
    const calleeFrameMs = await withTimeout(frame, 10_000, 'first frame');
    const paths = await Promise.all(connections.map(selectedPath));
    a.hangupCall();
    await withTimeout(firstValueFrom(b.call$.pipe(filter((v) => v.state === 'ended'))), 10_000, 'hangup');
    for (const phone of [a, b]) phone.dispose();
    return { callerMs, calleeMs, calleeFrameMs, paths };
  } finally {
    for (const transport of transports) transport.close();
    for (const pc of connections) pc.close();
  }
}

/** Two bare peer connections in this page, descriptions and candidates handed over directly. */
export async function rawPair(config: RTCConfiguration): Promise<RoutedTiming> {
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
    const frame = new Promise<number>((resolve) => {
      b.addEventListener('track', (event) => {
        const stream = event.streams[0];
        if (event.track.kind === 'video' && stream) resolve(firstFrame(stream, started));
      });
    });
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
    const calleeFrameMs = await withTimeout(frame, 10_000, 'first frame');
    const paths = await Promise.all(pcs.map(selectedPath));
    return { callerMs, calleeMs, calleeFrameMs, paths };
  } finally {
    for (const stream of streams) for (const track of stream.getTracks()) track.stop();
    for (const pc of pcs) pc.close();
  }
}

Object.assign(globalThis, { handsetTurnBench: { handsetCall, rawPair } });
