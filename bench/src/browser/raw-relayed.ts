// The limit for a signaled call: the raw RTCPeerConnection pair of the page, but with its offer, answer
// and every candidate (one message each, sent the moment it exists) carried by the bare `ws` relay, as
// Handset's are by its server. What the plain raw pair has and no signaled call can: no hop at all.
import { firstDecodedFrame } from './decoded-frame.js';
import { iceConnected, LoopbackPeerConnection } from './loopback-peer-connection.js';
import { beginMarks, type SetupMarks, setupWindowEnds, takeMarks } from './setup-marks.js';

export interface RawTiming {
  callerMs: number;
  calleeMs: number;
  callerFrameMs: number;
  calleeFrameMs: number;
  marks: SetupMarks;
}

type RelayMessage =
  | { to: string; kind: 'offer' | 'answer'; sdp: string }
  | { to: string; kind: 'candidate'; candidate: RTCIceCandidateInit };

const MEDIA = { audio: true, video: true };

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms)),
  ]);
}

/** A socket on the bare relay, open and greeted (`{"kind":"ready"}`). */
function relaySocket(url: string, id: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${url}?id=${encodeURIComponent(id)}`);
    socket.addEventListener('message', () => resolve(socket), { once: true });
    socket.addEventListener('error', () => reject(new Error(`relay socket ${id} failed`)), { once: true });
  });
}

/**
 * One side: sends its candidates as they come, applies the peer's (held until the remote description is
 * set, as any signaled call must), and on an offer answers it with its own media.
 */
function relaySide(pc: RTCPeerConnection, socket: WebSocket, peer: string, streams: MediaStream[]): void {
  const held: RTCIceCandidateInit[] = [];
  pc.addEventListener('icecandidate', (event) => {
    if (event.candidate)
      socket.send(JSON.stringify({ to: peer, kind: 'candidate', candidate: event.candidate.toJSON() }));
  });
  socket.addEventListener('message', (event) => {
    const message = JSON.parse(String(event.data)) as RelayMessage | { kind: 'ready' };
    if (message.kind === 'candidate') {
      if (pc.remoteDescription) void pc.addIceCandidate(message.candidate);
      else held.push(message.candidate);
      return;
    }
    if (message.kind !== 'offer' && message.kind !== 'answer') return;
    void (async () => {
      await pc.setRemoteDescription({ type: message.kind, sdp: message.sdp });
      for (const candidate of held.splice(0)) void pc.addIceCandidate(candidate);
      if (message.kind === 'answer') return;
      const stream = await navigator.mediaDevices.getUserMedia(MEDIA);
      streams.push(stream);
      for (const track of stream.getTracks()) pc.addTrack(track, stream);
      await pc.setLocalDescription(await pc.createAnswer());
      socket.send(JSON.stringify({ to: peer, kind: 'answer', sdp: pc.localDescription?.sdp ?? '' }));
    })();
  });
}

/** The raw pair's call, signaled through the bare relay at `url`; both sockets open before the clock starts. */
export async function rawRelayed(url: string, callerId: string, calleeId: string): Promise<RawTiming> {
  const config = { iceServers: [] };
  const sockets = await withTimeout(
    Promise.all([relaySocket(url, callerId), relaySocket(url, calleeId)]),
    15_000,
    'relay sockets',
  );
  // Made after the clock's start, as every other system's are: that is how their sides are told apart.
  const started = beginMarks();
  const pcs = [new LoopbackPeerConnection(config), new LoopbackPeerConnection(config)] as const;
  const streams: MediaStream[] = [];
  const [a, b] = pcs;
  try {
    relaySide(a, sockets[0], calleeId, streams);
    relaySide(b, sockets[1], callerId, streams);
    const times = pcs.map((pc) => iceConnected(pc).then(() => performance.now() - started));
    const frames = pcs.map((pc) => firstDecodedFrame(pc).then((at) => at - started));
    const callerStream = await navigator.mediaDevices.getUserMedia(MEDIA);
    streams.push(callerStream);
    for (const track of callerStream.getTracks()) a.addTrack(track, callerStream);
    await a.setLocalDescription(await a.createOffer());
    sockets[0].send(JSON.stringify({ to: calleeId, kind: 'offer', sdp: a.localDescription?.sdp ?? '' }));
    const [callerMs = 0, calleeMs = 0] = await withTimeout(Promise.all(times), 20_000, 'relayed raw pair');
    setupWindowEnds();
    const [callerFrameMs = 0, calleeFrameMs = 0] = await withTimeout(
      Promise.all(frames),
      20_000,
      'relayed raw pair frame',
    );
    return { callerMs, calleeMs, callerFrameMs, calleeFrameMs, marks: takeMarks() };
  } finally {
    for (const stream of streams) for (const track of stream.getTracks()) track.stop();
    for (const pc of pcs) pc.close();
    for (const socket of sockets) socket.close();
  }
}
