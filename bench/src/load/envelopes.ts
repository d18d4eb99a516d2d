// Valid Handset envelopes of realistic size, made with core's own `createEnvelope`: the same bytes are
// sent to every system under test (PeerJS wraps them in its own message, as an app using it would).
import { createEnvelope, type Envelope } from '@handset/core';

/** An SDP-like body that brings the encoded envelope to about 1 KB. */
const SDP = [
  'v=0',
  'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'a=group:BUNDLE 0 1',
  'a=extmap-allow-mixed',
  'a=msid-semantic: WMS stream',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126',
  'c=IN IP4 0.0.0.0',
  'a=rtcp:9 IN IP4 0.0.0.0',
  'a=ice-ufrag:Xk3v',
  'a=ice-pwd:9uB6a1Ko0wYzR3KxgP2Sg3Lc',
  'a=ice-options:trickle',
  'a=fingerprint:sha-256 4C:2A:1F:83:9E:55:1B:07:AC:0D:F0:6A:7E:41:3B:29:C2:50:EF:71:9A:88:60:D4:13:7F:B5:E2:06:3C:91:AA',
  'a=setup:actpass',
  'a=mid:0',
  'a=sendrecv',
  'a=rtcp-mux',
  'a=rtpmap:111 opus/48000/2',
  'a=fmtp:111 minptime=10;useinbandfec=1',
  'm=video 9 UDP/TLS/RTP/SAVPF 96 97 98 99',
  'c=IN IP4 0.0.0.0',
  'a=mid:1',
  'a=sendrecv',
  'a=rtcp-mux',
  'a=rtcp-rsize',
  'a=rtpmap:96 VP8/90000',
  'a=rtcp-fb:96 goog-remb',
  'a=rtcp-fb:96 transport-cc',
  'a=rtcp-fb:96 ccm fir',
  'a=rtcp-fb:96 nack',
  'a=rtcp-fb:96 nack pli',
  'a=rtpmap:97 rtx/90000',
  'a=fmtp:97 apt=96',
  '',
].join('\r\n');

const CANDIDATE = {
  candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 54321 typ host generation 0',
  sdpMid: '0',
  sdpMLineIndex: 0,
};

export interface Addressing {
  from: string;
  to: string;
  callId: string;
}

/** The relay benchmarks' message: an `answer` carrying an SDP, about 1 KB once encoded. */
export function sdpEnvelope(at: Addressing, id: string): Envelope {
  return createEnvelope({ type: 'answer', ...at, fromDevice: 'bench', sdp: SDP }, id);
}

/** The envelopes of one signaling-only call, in the order they are sent. */
export const callEnvelopes = {
  invite: (at: Addressing, id: string) =>
    createEnvelope(
      {
        type: 'invite',
        ...at,
        fromDevice: 'bench',
        sdp: SDP,
        media: { audio: true, video: true },
        lifetimeMs: 30_000,
      },
      id,
    ),
  ringing: (at: Addressing, id: string) =>
    createEnvelope({ type: 'ringing', ...at, fromDevice: 'bench' }, id),
  answer: (at: Addressing, id: string) =>
    createEnvelope({ type: 'answer', ...at, fromDevice: 'bench', sdp: SDP }, id),
  candidates: (at: Addressing, id: string) =>
    createEnvelope(
      { type: 'candidates', ...at, fromDevice: 'bench', candidates: [CANDIDATE], end: true },
      id,
    ),
  hangup: (at: Addressing, id: string) =>
    createEnvelope({ type: 'hangup', ...at, fromDevice: 'bench', reason: 'normal' }, id),
};
