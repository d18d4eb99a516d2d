// werift 0.24.4 retransmits an unanswered DTLS handshake flight up to 10 times on ref'd timers (33 s in
// all) and close() does not stop it: a call hung up while DTLS was still shaking hands kept its Node
// process alive for half a minute after dispose() (test/node-process.test.ts failed on it under load).
import type { RTCPeerConnection } from 'werift';

/** Each flight's loop ends at its next wake-up once the handshake counts as past it. */
const PAST_EVERY_FLIGHT = Number.MAX_SAFE_INTEGER;

export function endDtlsRetransmissions(pc: RTCPeerConnection): void {
  for (const transport of pc.dtlsTransports) {
    const context = transport.dtls?.dtls;
    if (context) context.flight = PAST_EVERY_FLIGHT;
  }
}
