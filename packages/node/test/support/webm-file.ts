// Reads back a recorded WebM file with mediabunny (a container parser, the one werift itself depends on):
// proof that the file is a parseable container and of what it holds, frame by frame.
import { ALL_FORMATS, EncodedPacketSink, FilePathSource, Input } from 'mediabunny';

export interface RecordedTrack {
  type: string;
  codec: string | null;
  packets: number;
  keyPackets: number;
  /** The encoded payloads (first few), to decode or inspect. */
  firstPayloads: Uint8Array[];
  durationSeconds: number;
}

export async function readWebm(path: string): Promise<{ format: string; tracks: RecordedTrack[] }> {
  const input = new Input({ source: new FilePathSource(path), formats: ALL_FORMATS });
  try {
    const format = (await input.getFormat()).name;
    const tracks: RecordedTrack[] = [];
    for (const track of await input.getTracks()) {
      const summary: RecordedTrack = {
        type: track.type,
        codec: track.codec,
        packets: 0,
        keyPackets: 0,
        firstPayloads: [],
        durationSeconds: 0,
      };
      for await (const packet of new EncodedPacketSink(track).packets()) {
        summary.packets += 1;
        if (packet.type === 'key') summary.keyPackets += 1;
        if (summary.firstPayloads.length < 50) summary.firstPayloads.push(packet.data);
        summary.durationSeconds = Math.max(summary.durationSeconds, packet.timestamp + packet.duration);
      }
      tracks.push(summary);
    }
    return { format, tracks };
  } finally {
    input.dispose();
  }
}
