// werift's RTCRtpTransceiver and RTCRtpSender dressed as a browser's: a direction change asks for
// negotiation, and a sender stops putting RTP on the wire once the negotiated direction says it may not send.
import type { MediaTrackPort, RtpSenderPort, RtpTransceiverPort, TransceiverDirection } from '@handset/core';
import { MediaStreamTrack, type RTCRtpSender, type RTCRtpTransceiver } from 'werift';

const SENDING_DIRECTIONS: readonly string[] = ['sendrecv', 'sendonly'];
const SETTABLE_DIRECTIONS: readonly string[] = ['sendrecv', 'sendonly', 'recvonly', 'inactive'];

export function asWeriftTrack(track: MediaTrackPort, what: string): MediaStreamTrack {
  if (!(track instanceof MediaStreamTrack)) {
    throw new TypeError(`${what}: the track must be a werift MediaStreamTrack (see createNodePorts)`);
  }
  return track;
}

/** The sender half: replaceTrack without renegotiation, as RTCRtpSender.replaceTrack. */
export class WeriftSender implements RtpSenderPort {
  constructor(readonly raw: RTCRtpSender) {}

  get track(): MediaStreamTrack | null {
    return this.raw.track ?? null;
  }

  async replaceTrack(track: MediaTrackPort | null): Promise<void> {
    if (track === null) {
      await this.raw.replaceTrack(null);
      return;
    }
    const weriftTrack = asWeriftTrack(track, 'replaceTrack');
    if (weriftTrack.stopped) throw new DOMException('replaceTrack: the track has ended', 'InvalidStateError');
    await this.raw.replaceTrack(weriftTrack);
  }
}

/**
 * One transceiver as the call machine sees it. werift 0.24.4 keeps sending RTP whatever the negotiated
 * direction (a held call would go on streaming); a browser sends only while `currentDirection` includes
 * send, so the sender is gated here on the last negotiated direction.
 */
export class WeriftTransceiver implements RtpTransceiverPort {
  readonly sender: WeriftSender;

  constructor(
    readonly raw: RTCRtpTransceiver,
    private readonly directionChanged: () => void,
  ) {
    this.sender = new WeriftSender(raw.sender);
    gateSending(raw);
  }

  get mid(): string | null {
    return this.raw.mid;
  }

  get direction(): TransceiverDirection {
    return this.raw.stopped ? 'stopped' : this.raw.direction;
  }

  set direction(direction: TransceiverDirection) {
    if (!SETTABLE_DIRECTIONS.includes(direction)) {
      throw new TypeError(`direction: "${direction}" cannot be set (stop() a transceiver instead)`);
    }
    if (this.raw.stopped) throw new DOMException('the transceiver is stopped', 'InvalidStateError');
    if (direction === this.raw.direction) return;
    this.raw.setDirection(direction as Exclude<TransceiverDirection, 'stopped'>);
    this.directionChanged();
  }

  get currentDirection(): TransceiverDirection | null {
    return this.raw.currentDirection;
  }

  get receiver(): { readonly track: MediaStreamTrack } {
    return { track: this.raw.receiver.track };
  }
}

const gated = new WeakSet<RTCRtpSender>();

/** Drops RTP the negotiated direction does not allow (none is negotiated yet: werift sends nothing then). */
function gateSending(transceiver: RTCRtpTransceiver): void {
  const sender = transceiver.sender;
  if (gated.has(sender)) return;
  gated.add(sender);
  const send = sender.sendRtp.bind(sender);
  sender.sendRtp = async (rtp) => {
    const current = transceiver.currentDirection;
    if (current !== null && !SENDING_DIRECTIONS.includes(current)) return;
    await send(rtp);
  };
}
