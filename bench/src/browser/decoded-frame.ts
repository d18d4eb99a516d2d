// When a peer connection has decoded its first remote video frame, read from getStats (inbound-rtp
// framesDecoded > 0): the same probe for Handset, PeerJS and the raw pair, so the rows compare alike.

import { iceConnected } from './loopback-peer-connection.js';

const POLL_MS = 5;

/** Resolves with `performance.now()` at the first poll that sees a decoded remote video frame on `pc`. */
export async function firstDecodedFrame(pc: RTCPeerConnection): Promise<number> {
  // No frame can be decoded before ICE connects: polling only from then on keeps getStats off the main
  // thread while the call is being set up, so the time to `connected` is not slowed by the probe.
  await iceConnected(pc);
  for (;;) {
    if (pc.connectionState === 'closed') throw new Error('closed before a frame was decoded');
    let decoded = false;
    (await pc.getStats()).forEach((report) => {
      if (report.type === 'inbound-rtp' && report.kind === 'video' && (report.framesDecoded ?? 0) > 0)
        decoded = true;
    });
    if (decoded) return performance.now();
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
