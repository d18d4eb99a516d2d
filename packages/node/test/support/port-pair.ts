// Two werift peers wired by hand through the PeerConnectionPort only, as a signaling channel would:
// offer/answer, trickled candidates held until their description is applied, and waits on states.
import type {
  IceCandidateEventPort,
  IceCandidateInit,
  MediaStreamPort,
  PeerConnectionPort,
  SessionDescription,
  TrackEventPort,
} from '@handset/core';

// Generous: ICE + DTLS take a fraction of a second alone, much longer on a loaded 2-core machine.
export const MEDIA_TIMEOUT_MS = 20_000;

/** Everything one side of the hand-made signaling saw, through the port interface only. */
export interface Side {
  pc: PeerConnectionPort;
  candidates: IceCandidateEventPort['candidate'][];
  iceStates: string[];
  tracks: TrackEventPort[];
  negotiationNeeded: number;
}

export function observe(pc: PeerConnectionPort): Side {
  const side: Side = { pc, candidates: [], iceStates: [], tracks: [], negotiationNeeded: 0 };
  pc.addEventListener('icecandidate', (event) => side.candidates.push(event.candidate));
  pc.addEventListener('iceconnectionstatechange', () => side.iceStates.push(pc.iceConnectionState));
  pc.addEventListener('track', (event) => side.tracks.push(event));
  pc.addEventListener('negotiationneeded', () => {
    side.negotiationNeeded += 1;
  });
  return side;
}

/**
 * Trickles one generation of `from`'s candidates to `to`, holding each until `to` has the remote description
 * it belongs to, as a signaling channel would (a browser refuses candidates before their description).
 * Stops at end-of-candidates; errors are kept for `settled()` so a late one is never an unhandled rejection.
 */
export function trickle(
  from: PeerConnectionPort,
  to: PeerConnectionPort,
  remoteDescriptionSet: Promise<void>,
) {
  const errors: unknown[] = [];
  const added: Promise<void>[] = [];
  const onCandidate = ({ candidate }: IceCandidateEventPort) => {
    if (!candidate) from.removeEventListener('icecandidate', onCandidate);
    const init: IceCandidateInit = candidate ?? { candidate: '', sdpMid: '0', sdpMLineIndex: 0 };
    added.push(
      remoteDescriptionSet
        .then(() => to.addIceCandidate(init))
        .catch((error: unknown) => void errors.push(error)),
    );
  };
  from.addEventListener('icecandidate', onCandidate);
  return {
    settled: async () => {
      await Promise.all(added);
      if (errors.length > 0) throw errors[0];
    },
  };
}

export function description(pc: PeerConnectionPort): SessionDescription {
  const local = pc.localDescription;
  if (!local || (local.type !== 'offer' && local.type !== 'answer')) throw new Error('no local description');
  return { type: local.type, sdp: local.sdp };
}

export function untilIceState(pc: PeerConnectionPort, state: string): Promise<void> {
  return new Promise((resolve) => {
    if (pc.iceConnectionState === state) return resolve();
    const onChange = () => {
      if (pc.iceConnectionState !== state) return;
      pc.removeEventListener('iceconnectionstatechange', onChange);
      resolve();
    };
    pc.addEventListener('iceconnectionstatechange', onChange);
  });
}

export function untilNegotiationNeeded(pc: PeerConnectionPort): Promise<void> {
  return new Promise((resolve) => {
    const once = () => {
      pc.removeEventListener('negotiationneeded', once);
      resolve();
    };
    pc.addEventListener('negotiationneeded', once);
  });
}

export function ufrag(sdp: string): string | undefined {
  return /a=ice-ufrag:(\S+)/.exec(sdp)?.[1];
}

export function firstRemoteStream(side: Side): MediaStreamPort {
  const stream = side.tracks[0]?.streams[0];
  if (!stream) throw new Error('no remote stream');
  return stream;
}

/** Offer/answer from caller to callee through the port interface; the callee adds its media after the offer. */
export async function negotiate(caller: Side, callee: Side, calleeStream: MediaStreamPort | null) {
  let calleeHasOffer!: () => void;
  const offerApplied = new Promise<void>((resolve) => {
    calleeHasOffer = resolve;
  });
  let callerHasAnswer!: () => void;
  const answerApplied = new Promise<void>((resolve) => {
    callerHasAnswer = resolve;
  });
  const toCallee = trickle(caller.pc, callee.pc, offerApplied);
  const toCaller = trickle(callee.pc, caller.pc, answerApplied);

  await caller.pc.setLocalDescription();
  await callee.pc.setRemoteDescription(description(caller.pc));
  calleeHasOffer();
  for (const track of calleeStream?.getTracks() ?? []) callee.pc.addTrack(track, calleeStream!);
  await callee.pc.setLocalDescription(await callee.pc.createAnswer());
  await caller.pc.setRemoteDescription(description(callee.pc));
  callerHasAnswer();
  return { candidatesAdded: () => Promise.all([toCallee.settled(), toCaller.settled()]) };
}
