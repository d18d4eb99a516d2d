// What the in-call bench watches at the peer, the same for Handset and the raw pair: inbound RTP bytes from
// getStats (has media stopped) and received frames (is media back, is this the new source).

const POLL_MS = 5;
/** Media counts as stopped once the inbound bytes have not grown for this long. */
const QUIET_MS = 1_000;
const GIVE_UP_MS = 15_000;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Inbound {
  /** RTP payload bytes received so far, audio and video together. */
  bytes: number;
  /** When the latest of those packets arrived, on the `performance.now()` clock (NaN if not reported). */
  lastPacketAt: number;
}

async function inbound(pc: RTCPeerConnection): Promise<Inbound> {
  const found = { bytes: 0, lastPacketAt: Number.NaN };
  type Report = { type: string; bytesReceived?: number; lastPacketReceivedTimestamp?: number };
  (await pc.getStats()).forEach((report: Report) => {
    if (report.type !== 'inbound-rtp') return;
    found.bytes += report.bytesReceived ?? 0;
    // Chromium stamps stats on the wall clock (performance.timeOrigin + now).
    const at = (report.lastPacketReceivedTimestamp ?? Number.NaN) - performance.timeOrigin;
    if (Number.isFinite(at) && !(at <= found.lastPacketAt)) found.lastPacketAt = at;
  });
  return found;
}

/**
 * Once the inbound bytes on `pc` have not grown for QUIET_MS, resolves with when the last packet arrived
 * (ms after `since`), from getStats' `lastPacketReceivedTimestamp`, so the figure does not depend on how
 * often a busy page gets to poll; without that field, the last poll that saw the bytes grow.
 */
export async function mediaStopped(pc: RTCPeerConnection, since: number): Promise<number> {
  let last = await inbound(pc);
  let changedAt = performance.now();
  while (performance.now() - changedAt < QUIET_MS) {
    if (performance.now() - since > GIVE_UP_MS) throw new Error('media never stopped');
    await pause(POLL_MS);
    const now = await inbound(pc);
    if (now.bytes !== last.bytes) changedAt = performance.now();
    last = now;
  }
  return (Number.isFinite(last.lastPacketAt) ? last.lastPacketAt : changedAt) - since;
}

/**
 * Resolves with when (ms after `since`) the peer's side of the call is on hold: none of its transceivers
 * negotiated to receive any more. Timed from the negotiated state, not from packets: with audio every 20 ms
 * and video every ~33 ms, when the last packet arrived says more about where in that cadence the hold was
 * asked for than about how fast it was carried out (it can even come before the request).
 */
export async function peerOnHold(pc: RTCPeerConnection, since: number): Promise<number> {
  const receiving = () =>
    pc.getTransceivers().some((t) => t.currentDirection === 'sendrecv' || t.currentDirection === 'recvonly');
  while (receiving()) {
    if (performance.now() - since > GIVE_UP_MS) throw new Error('the peer never went on hold');
    await pause(POLL_MS);
  }
  return performance.now() - since;
}

/** An RGB colour that fills a marked source: received frames are recognised by it. */
export type Marker = readonly [number, number, number];

export const SCREEN_MARKER: Marker = [255, 0, 255];
export const CAMERA_MARKER: Marker = [0, 255, 255];

/** Points (as fractions of width and height) read from each received frame; all must show the marker. */
const SAMPLES = [
  [0.1, 0.1],
  [0.9, 0.1],
  [0.5, 0.5],
  [0.1, 0.9],
  [0.9, 0.9],
] as const;
/** Codec loss moves colours a little; the fake camera's frames are nowhere near either marker. */
const TOLERANCE = 48;

interface TrackProcessor {
  readable: ReadableStream<VideoFrame>;
}
type TrackProcessorClass = new (init: { track: MediaStreamTrack }) => TrackProcessor;

/**
 * Resolves with `performance.now()` at the first frame received on `track` that shows `marker` (any frame
 * when `marker` is null: media flowing again after a hold, when no frame arrives until then). Reads a
 * clone of the track through MediaStreamTrackProcessor (every decoded frame, no video element), and stops
 * the clone when done so the call's own track is untouched.
 */
export async function firstMarkedFrame(track: MediaStreamTrack, marker: Marker | null): Promise<number> {
  const Processor = (globalThis as unknown as { MediaStreamTrackProcessor: TrackProcessorClass })
    .MediaStreamTrackProcessor;
  const clone = track.clone();
  const reader = new Processor({ track: clone }).readable.getReader();
  const canvas = new OffscreenCanvas(32, 32);
  const context = canvas.getContext('2d', { willReadFrequently: true });
  if (!context) throw new Error('no 2d context');
  const started = performance.now();
  try {
    for (;;) {
      if (performance.now() - started > GIVE_UP_MS) throw new Error('no marked frame arrived');
      const { value: frame, done } = await reader.read();
      if (done || !frame) throw new Error('track ended before a marked frame');
      const at = performance.now();
      if (!marker) {
        frame.close();
        return at;
      }
      context.drawImage(frame, 0, 0, 32, 32);
      frame.close();
      const pixels = context.getImageData(0, 0, 32, 32).data;
      const marked = SAMPLES.every(([x, y]) => {
        const offset = (Math.floor(y * 31) * 32 + Math.floor(x * 31)) * 4;
        return marker.every(
          (channel, index) => Math.abs((pixels[offset + index] ?? 0) - channel) <= TOLERANCE,
        );
      });
      if (marked) return at;
    }
  } finally {
    void reader.cancel().catch(() => {});
    clone.stop();
  }
}

const painters = new Set<ReturnType<typeof setInterval>>();

/**
 * A video track from a canvas filled with `marker`, standing in for a screen or a second camera. A small
 * moving square keeps the canvas changing, so captureStream delivers frames at its 30 fps.
 */
export function markedTrack(marker: Marker): MediaStreamTrack {
  const canvas = document.createElement('canvas');
  canvas.width = 640;
  canvas.height = 480;
  const context = canvas.getContext('2d');
  if (!context) throw new Error('no 2d context');
  let tick = 0;
  const paint = () => {
    context.fillStyle = `rgb(${marker.join(',')})`;
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.fillStyle = 'rgb(0,0,0)';
    context.fillRect(200 + (tick % 200), 200, 16, 16);
    tick += 4;
  };
  paint();
  painters.add(setInterval(paint, 33));
  const track = canvas.captureStream(30).getVideoTracks()[0];
  if (!track) throw new Error('canvas gave no track');
  return track;
}

/** Stops painting every marked canvas (after each call). */
export function stopPainting(): void {
  for (const painter of painters) clearInterval(painter);
  painters.clear();
}
