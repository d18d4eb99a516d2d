// The W3C "check if negotiation is needed" rule, applied to werift's transceivers. werift fires
// negotiationneeded whenever it touches a transceiver (even one created by a remote offer), which would
// make the call machine renegotiate for nothing; the wrapper fires only when this check says so.
import type { RTCPeerConnection } from 'werift';
import {
  intersectDirections,
  type MediaDirection,
  mediaDirectionsByMid,
  reverseDirection,
} from './sdp-directions.js';

/**
 * True when the current local/remote descriptions no longer describe what the transceivers want: a
 * transceiver never negotiated, a direction changed since, or a data channel has no m-section yet. Meaningful only in the `stable` state.
 */
export function isNegotiationNeeded(pc: RTCPeerConnection, iceRestartRequested: boolean): boolean {
  if (iceRestartRequested) return true;
  const local = pc.localDescription;
  // A first data channel needs an m=application section, as a first track needs its m-line.
  if (pc.sctpTransport && !/\r?\nm=application /.test(local?.sdp ?? '')) return true;
  const localDirections = mediaDirectionsByMid(local?.sdp);
  const remoteDirections = mediaDirectionsByMid(pc.remoteDescription?.sdp);
  for (const transceiver of pc.getTransceivers()) {
    if (transceiver.stopped || transceiver.stopping) continue;
    if (transceiver.mid === null) return true;
    const localDirection = localDirections.get(transceiver.mid);
    if (!local || localDirection === undefined) return true;
    const remoteDirection = remoteDirections.get(transceiver.mid);
    const wanted: MediaDirection = transceiver.direction;
    if (local.type === 'offer') {
      const remoteAgrees = remoteDirection !== undefined && reverseDirection(remoteDirection) === wanted;
      if (localDirection !== wanted && !remoteAgrees) return true;
    } else if (remoteDirection !== undefined) {
      if (intersectDirections(wanted, reverseDirection(remoteDirection)) !== localDirection) return true;
    }
  }
  return false;
}
