// Proof that media flows: counts the RTP packets werift delivers to remote tracks.
import type { MediaStreamPort, MediaTrackPort } from '@handset/core';
import { MediaStreamTrack } from 'werift';

export interface RtpCounter {
  readonly track: MediaStreamTrack;
  /** Packets received since the counter was made. */
  readonly count: number;
  stop(): void;
}

function asWeriftTrack(track: MediaTrackPort): MediaStreamTrack {
  if (!(track instanceof MediaStreamTrack)) {
    throw new TypeError(`cannot count RTP on a ${track.kind} track that is not a werift MediaStreamTrack`);
  }
  return track;
}

/** Counts RTP packets arriving on a werift track from now on (earlier packets are not counted). */
export function countRtp(track: MediaTrackPort): RtpCounter {
  const weriftTrack = asWeriftTrack(track);
  let count = 0;
  const subscription = weriftTrack.onReceiveRtp.subscribe(() => {
    count += 1;
  });
  return {
    track: weriftTrack,
    get count() {
      return count;
    },
    stop: () => subscription.unSubscribe(),
  };
}

export interface WaitForRemoteMediaOptions {
  /** Packets each awaited track must receive after the call. */
  packets: number;
  timeoutMs: number;
  /** Kinds that must be present and flowing; by default, every kind the stream holds (at least one track). */
  kinds?: readonly string[];
}

export interface RemoteMediaReport {
  tracks: { kind: string; packets: number }[];
}

/** The stream stayed silent: says what did arrive, so a failing test explains itself. */
export class RemoteMediaTimeoutError extends Error {
  override readonly name = 'RemoteMediaTimeoutError';
  readonly report: RemoteMediaReport;

  constructor(options: WaitForRemoteMediaOptions, report: RemoteMediaReport) {
    const seen = report.tracks.map((track) => `${track.kind}: ${track.packets}`).join(', ') || 'no tracks';
    super(`expected ${options.packets} RTP packets per track within ${options.timeoutMs} ms; got ${seen}`);
    this.report = report;
  }
}

// Tracks can join the stream after the call (a shared remote stream gains video after audio).
const TRACK_POLL_MS = 20;

/**
 * Resolves once every awaited track of `stream` (a remote stream from a `track` event) has received
 * `packets` RTP packets counted from this call; rejects with RemoteMediaTimeoutError after `timeoutMs`.
 */
export function waitForRemoteMedia(
  stream: MediaStreamPort,
  options: WaitForRemoteMediaOptions,
): Promise<RemoteMediaReport> {
  const counters = new Map<MediaTrackPort, RtpCounter>();
  const report = (): RemoteMediaReport => ({
    tracks: [...counters.values()].map((counter) => ({ kind: counter.track.kind, packets: counter.count })),
  });
  return new Promise<RemoteMediaReport>((resolve, reject) => {
    const finish = (settle: () => void) => {
      clearInterval(poll);
      clearTimeout(deadline);
      for (const counter of counters.values()) counter.stop();
      settle();
    };
    const check = () => {
      try {
        for (const track of stream.getTracks()) {
          if (!counters.has(track)) counters.set(track, countRtp(track));
        }
      } catch (error) {
        finish(() => reject(error));
        return;
      }
      const all = [...counters.values()];
      const kinds = options.kinds ?? [...new Set(all.map((counter) => counter.track.kind))];
      const flowing = (kind: string) =>
        all.some((counter) => counter.track.kind === kind) &&
        all
          .filter((counter) => counter.track.kind === kind)
          .every((counter) => counter.count >= options.packets);
      if (kinds.length > 0 && kinds.every(flowing)) {
        const done = report();
        finish(() => resolve(done));
      }
    };
    const poll = setInterval(check, TRACK_POLL_MS);
    const deadline = setTimeout(() => {
      const timedOut = report();
      finish(() => reject(new RemoteMediaTimeoutError(options, timedOut)));
    }, options.timeoutMs);
    check();
  });
}
