// getUserMedia for Node tests: werift tracks fed by a generated RTP source, and refusals on demand.
import type { GetUserMedia, MediaKinds, MediaStreamPort } from '@handset/core';
import { MediaStream, MediaStreamTrack } from 'werift';
import { type MediaKind, type RtpSource, startRtpSource } from './rtp-source.js';

/** A local werift track that produces RTP from the moment it exists until `stop()`. */
export class WeriftLocalTrack extends MediaStreamTrack {
  private readonly source: RtpSource;

  constructor(kind: MediaKind) {
    super({ kind });
    // Packets written before a sender is attached (or before DTLS is up) go nowhere, like frames from a
    // camera no one is sending yet; once addTrack() attaches the track, its sender forwards them.
    this.source = startRtpSource(kind, (packet) => this.writeRtp(packet));
    const endWeriftTrack = this.stop;
    this.stop = () => {
      if (this.stopped) return;
      this.source.stop();
      endWeriftTrack();
    };
  }

  /** As on a browser track: `ended` once `stop()` was called. */
  get readyState(): 'live' | 'ended' {
    return this.stopped ? 'ended' : 'live';
  }
}

/** The errors a browser's getUserMedia rejects with when the user says no or there is no device. */
export type MediaDenial = 'NotAllowedError' | 'NotFoundError';

export interface WeriftGetUserMediaOptions {
  /** Reject every request with a DOMException of this name, as a browser does. */
  deny?: MediaDenial;
}

export interface WeriftGetUserMedia extends GetUserMedia {
  /** Every request, in order, including refused ones. */
  readonly requests: readonly MediaKinds[];
  /** Every track handed out, in order: lets a test assert that all of them were stopped. */
  readonly tracks: readonly WeriftLocalTrack[];
}

const DENIAL_MESSAGES: Record<MediaDenial, string> = {
  NotAllowedError: 'Permission denied',
  NotFoundError: 'Requested device not found',
};

export function createWeriftGetUserMedia(options: WeriftGetUserMediaOptions = {}): WeriftGetUserMedia {
  const requests: MediaKinds[] = [];
  const tracks: WeriftLocalTrack[] = [];
  const getUserMedia = async (media: MediaKinds): Promise<MediaStreamPort> => {
    requests.push({ ...media });
    if (options.deny) throw new DOMException(DENIAL_MESSAGES[options.deny], options.deny);
    if (!media.audio && !media.video) {
      throw new TypeError('getUserMedia: at least one of audio and video must be requested');
    }
    const stream = new MediaStream();
    const kinds: MediaKind[] = [
      ...(media.audio ? ['audio' as const] : []),
      ...(media.video ? ['video' as const] : []),
    ];
    for (const kind of kinds) {
      const track = new WeriftLocalTrack(kind);
      tracks.push(track);
      stream.addTrack(track);
    }
    return stream;
  };
  return Object.assign(getUserMedia, { requests, tracks });
}
