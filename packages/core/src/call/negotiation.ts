// The asynchronous WebRTC steps of a call, one promise actor each. They only touch the peer connection
// and media handed to them; which step runs when is the call machine's business.
import { fromCallback, fromPromise } from 'xstate';
import type {
  GetUserMedia,
  IceCandidateEventPort,
  IceConnectionState,
  MediaRequest,
  MediaStreamPort,
  MediaTrackPort,
  PeerConnectionPort,
  TrackEventPort,
} from '../ports.js';
import type { IceCandidateInit, SessionDescription } from '../protocol.js';

/** A remote description the peer connection refused: the peer sent SDP we cannot use. */
export class RemoteDescriptionError extends Error {
  override readonly name = 'RemoteDescriptionError';
}

export type PeerConnectionSignal =
  | { type: 'pc.candidate'; candidate: IceCandidateInit }
  | { type: 'pc.candidatesEnd' }
  | { type: 'pc.iceState'; state: IceConnectionState }
  | { type: 'pc.track'; stream: MediaStreamPort }
  | { type: 'pc.negotiationNeeded' };

/** Stops every track; one that throws on stop() does not keep the others (the camera) running. */
export function stopTracks(stream: MediaStreamPort | null): void {
  for (const track of stream?.getTracks() ?? []) {
    try {
      track.stop();
    } catch {
      // Nothing more can be done for that track; the rest still stop.
    }
  }
}

function toDescription(description: { type: string; sdp?: string } | null): SessionDescription {
  if (!description?.sdp || (description.type !== 'offer' && description.type !== 'answer')) {
    throw new Error(`peer connection produced no usable ${description?.type ?? 'local'} description`);
  }
  return { type: description.type, sdp: description.sdp };
}

async function applyRemote(pc: PeerConnectionPort, description: SessionDescription): Promise<void> {
  try {
    await pc.setRemoteDescription(description);
  } catch (cause) {
    throw new RemoteDescriptionError(`remote ${description.type} was refused`, { cause });
  }
}

function addTracks(pc: PeerConnectionPort, stream: MediaStreamPort): void {
  for (const track of stream.getTracks()) pc.addTrack(track, stream);
}

/** The peer's offer, applied while media opens (answering): it does not wait for the user's camera. */
export interface OfferToApply {
  pc: PeerConnectionPort;
  sdp: string;
}

/**
 * Opens local media, and (answering) applies the peer's offer meanwhile: `setRemoteDescription` is then off
 * the answer's critical path. If the call moved on before the user granted access (or the offer was
 * refused), the stream that arrives late is stopped at once, so the camera light never stays on for a call
 * that no longer exists.
 */
export const acquireMedia = fromPromise<
  MediaStreamPort,
  { getUserMedia: GetUserMedia; media: MediaRequest; offer?: OfferToApply | undefined }
>(async ({ input, signal }) => {
  const opening = input.getUserMedia(input.media);
  if (input.offer) {
    // Observed now, awaited below: a refusal while the offer is applied is not left unhandled meanwhile.
    opening.catch(() => {});
    try {
      await applyRemote(input.offer.pc, { type: 'offer', sdp: input.offer.sdp });
    } catch (error) {
      opening.then(stopTracks, () => {});
      throw error;
    }
  }
  const stream = await opening;
  if (signal.aborted) {
    stopTracks(stream);
    throw new Error('call left the media step before getUserMedia resolved');
  }
  // XState takes the result one promise job later; a call that leaves this step in between (a
  // hang-up delivered in that job) aborts the actor and would drop the stream with its camera on.
  signal.addEventListener('abort', () => stopTracks(stream), { once: true });
  return stream;
});

export const createOffer = fromPromise<
  SessionDescription,
  { pc: PeerConnectionPort; stream: MediaStreamPort }
>(async ({ input: { pc, stream } }) => {
  addTracks(pc, stream);
  await pc.setLocalDescription(await pc.createOffer());
  return toDescription(pc.localDescription);
});

export const createAnswer = fromPromise<
  SessionDescription,
  { pc: PeerConnectionPort; stream: MediaStreamPort; offerSdp: string }
>(async ({ input: { pc, stream, offerSdp } }) => {
  // Applied already while media opened, unless media was in hand before (glare: answered without asking).
  if (pc.signalingState !== 'have-remote-offer') await applyRemote(pc, { type: 'offer', sdp: offerSdp });
  addTracks(pc, stream);
  await pc.setLocalDescription(await pc.createAnswer());
  return toDescription(pc.localDescription);
});

export const applyRemoteAnswer = fromPromise<void, { pc: PeerConnectionPort; sdp: string }>(
  async ({ input: { pc, sdp } }) => applyRemote(pc, { type: 'answer', sdp }),
);

export interface RenegotiationOutput {
  description: SessionDescription;
  iceRestart: boolean;
}

/** An offer in the middle of a call: plain renegotiation, or an ICE restart. */
export const createRenegotiationOffer = fromPromise<
  RenegotiationOutput,
  { pc: PeerConnectionPort; iceRestart: boolean }
>(async ({ input: { pc, iceRestart } }) => {
  if (iceRestart) pc.restartIce();
  await pc.setLocalDescription(await pc.createOffer(iceRestart ? { iceRestart: true } : undefined));
  return { description: toDescription(pc.localDescription), iceRestart };
});

/** Answers a mid-call offer; the polite side first rolls back an offer of its own (perfect negotiation). */
export const answerRenegotiation = fromPromise<RenegotiationOutput, { pc: PeerConnectionPort; sdp: string }>(
  async ({ input: { pc, sdp } }) => {
    if (pc.signalingState === 'have-local-offer') await pc.setLocalDescription({ type: 'rollback' });
    await applyRemote(pc, { type: 'offer', sdp });
    await pc.setLocalDescription(await pc.createAnswer());
    return { description: toDescription(pc.localDescription), iceRestart: false };
  },
);

function candidateInit(event: IceCandidateEventPort): IceCandidateInit | null {
  const candidate = event.candidate;
  if (!candidate) return null;
  const init = typeof candidate.toJSON === 'function' ? candidate.toJSON() : candidate;
  return {
    candidate: init.candidate,
    sdpMid: init.sdpMid ?? null,
    sdpMLineIndex: init.sdpMLineIndex ?? null,
    usernameFragment: init.usernameFragment ?? null,
  };
}

const ICE_STATES = new Set<string>([
  'new',
  'checking',
  'connected',
  'completed',
  'disconnected',
  'failed',
  'closed',
]);

/**
 * Turns the peer connection's callbacks into machine events for as long as the call lasts; stopping the
 * actor removes every listener.
 */
export const watchPeerConnection = fromCallback<PeerConnectionSignal, { pc: PeerConnectionPort | null }>(
  ({ input: { pc }, sendBack }) => {
    // No peer connection: the factory threw and the call is ending; there is nothing to watch.
    if (!pc) return;
    const remoteTracks: MediaTrackPort[] = [];
    const onCandidate = (event: IceCandidateEventPort) => {
      const candidate = candidateInit(event);
      // An empty candidate string is the legacy end-of-candidates marker.
      if (candidate?.candidate) sendBack({ type: 'pc.candidate', candidate });
      else sendBack({ type: 'pc.candidatesEnd' });
    };
    const onIceState = () => {
      const state = pc.iceConnectionState;
      if (ICE_STATES.has(state)) sendBack({ type: 'pc.iceState', state: state as IceConnectionState });
    };
    const onTrack = (event: TrackEventPort) => {
      remoteTracks.push(event.track);
      // Platforms without stream association (or a sender that added no stream) still get a stream.
      const stream = event.streams[0] ?? { getTracks: () => [...remoteTracks] };
      sendBack({ type: 'pc.track', stream });
    };
    const onNegotiationNeeded = () => sendBack({ type: 'pc.negotiationNeeded' });
    pc.addEventListener('icecandidate', onCandidate);
    pc.addEventListener('iceconnectionstatechange', onIceState);
    pc.addEventListener('track', onTrack);
    pc.addEventListener('negotiationneeded', onNegotiationNeeded);
    return () => {
      pc.removeEventListener('icecandidate', onCandidate);
      pc.removeEventListener('iceconnectionstatechange', onIceState);
      pc.removeEventListener('track', onTrack);
      pc.removeEventListener('negotiationneeded', onNegotiationNeeded);
    };
  },
);
