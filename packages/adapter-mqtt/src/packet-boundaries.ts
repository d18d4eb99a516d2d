// Cuts the bytes of an MQTT connection at packet boundaries, so mqtt.js is handed one packet per write:
// given several packets at once, its parser handles the first and waits a `nextTick` for each of the others,
// and mqtt.js's browser build has `nextTick` as a `setTimeout(0)` (a timer turn per packet in a busy page).

/** Where the cut stands in the packet being read. */
type Phase = 'type' | 'length' | 'body' | 'opaque';

/** The most bytes MQTT's Remaining Length takes (a fifth one makes the stream malformed). */
const MAX_LENGTH_BYTES = 4;

/**
 * Splits a byte stream into pieces that each end where a packet ends (a packet cut across WebSocket
 * messages stays cut: the parser joins it). It holds no bytes, only where it is in the current packet.
 * A malformed Remaining Length ends the splitting: from then on bytes pass as they come, and mqtt.js's
 * parser answers the stream's error as it always did.
 */
export class PacketBoundaries {
  private phase: Phase = 'type';
  private remaining = 0;
  private multiplier = 1;
  private lengthBytes = 0;

  split(bytes: Uint8Array): Uint8Array[] {
    if (this.phase === 'opaque') return bytes.length > 0 ? [bytes] : [];
    const pieces: Uint8Array[] = [];
    let start = 0;
    let at = 0;
    const cut = () => {
      pieces.push(bytes.subarray(start, at));
      start = at;
      this.phase = 'type';
    };
    while (at < bytes.length && this.phase !== 'opaque') {
      if (this.phase === 'type') {
        at += 1;
        this.phase = 'length';
        this.remaining = 0;
        this.multiplier = 1;
        this.lengthBytes = 0;
      } else if (this.phase === 'length') {
        const byte = bytes[at] as number;
        at += 1;
        this.remaining += (byte & 0x7f) * this.multiplier;
        this.multiplier *= 128;
        this.lengthBytes += 1;
        if (byte & 0x80) {
          if (this.lengthBytes === MAX_LENGTH_BYTES) this.phase = 'opaque';
        } else if (this.remaining === 0) cut();
        else this.phase = 'body';
      } else {
        const take = Math.min(this.remaining, bytes.length - at);
        at += take;
        this.remaining -= take;
        if (this.remaining === 0) cut();
      }
    }
    if (start < bytes.length) pieces.push(bytes.subarray(start));
    return pieces;
  }
}
