// getUserMedia and enumerateDevices for Node: a list of fake devices (two microphones, two cameras by
// default, so switching is testable), each a MediaSource feeding werift tracks; refusals on demand.
import type {
  DeviceInfo,
  EnumerateDevices,
  MediaConstraint,
  MediaRequest,
  MediaStreamPort,
} from '@handset/core';
import { MediaStream, MediaStreamTrack } from 'werift';
import { silence, videoPlaceholder } from './media-sources.js';
import { type MediaKind, type MediaSource, type RtpSource, startRtpSource } from './rtp-source.js';

/** A fake microphone or camera: what enumerateDevices lists, and what its tracks send. */
export interface NodeMediaDevice extends DeviceInfo {
  readonly kind: 'audioinput' | 'videoinput';
  readonly source: MediaSource;
}

/** Two microphones and two cameras sending silence and placeholder video: cheap, for tests that count RTP. */
export const PLACEHOLDER_DEVICES: readonly NodeMediaDevice[] = [
  {
    deviceId: 'microphone-1',
    kind: 'audioinput',
    label: 'Node microphone 1',
    groupId: 'node',
    source: silence(),
  },
  {
    deviceId: 'microphone-2',
    kind: 'audioinput',
    label: 'Node microphone 2',
    groupId: 'node',
    source: silence(),
  },
  {
    deviceId: 'camera-1',
    kind: 'videoinput',
    label: 'Node camera 1',
    groupId: 'node',
    source: videoPlaceholder(),
  },
  {
    deviceId: 'camera-2',
    kind: 'videoinput',
    label: 'Node camera 2',
    groupId: 'node',
    source: videoPlaceholder(),
  },
];

/** A local werift track that produces RTP from the moment it exists until `stop()`. */
export class WeriftLocalTrack extends MediaStreamTrack {
  readonly deviceId: string;
  private readonly source: RtpSource;

  constructor(device: Pick<NodeMediaDevice, 'deviceId' | 'label' | 'source'>) {
    super({ kind: device.source.kind });
    // werift's constructor names every track "local audio"/"local video"; a browser shows the device.
    this.label = device.label;
    this.deviceId = device.deviceId;
    // Packets written before a sender is attached (or before DTLS is up) go nowhere, like frames from a
    // camera no one is sending yet; once the track is attached, its sender forwards them.
    this.source = startRtpSource(
      device.source,
      (packet) => this.writeRtp(packet),
      () => this.enabled,
    );
    // werift's stop() fires `ended`; a browser's does not (it fires only when the device goes away, and
    // the call machine reads `ended` as "device lost"). So stop() ends the track quietly here.
    this.stop = () => {
      if (this.stopped) return;
      this.source.stop();
      this.stopped = true;
      this.muted = true;
      this.onReceiveRtp.complete();
    };
  }

  /** As on a browser track: `ended` once stopped or unplugged. */
  get readyState(): 'live' | 'ended' {
    return this.stopped ? 'ended' : 'live';
  }

  getSettings(): { deviceId: string } {
    return { deviceId: this.deviceId };
  }

  /** The device went away (unplugged): the track ends and fires `ended`, as a browser's does. */
  unplug(): void {
    if (this.stopped) return;
    this.stop();
    this.emit('ended');
  }
}

/** The errors a browser's getUserMedia rejects with when the user says no or there is no device. */
export type MediaDenial = 'NotAllowedError' | 'NotFoundError';

export interface WeriftGetUserMediaOptions {
  /** Reject every request with a DOMException of this name, as a browser does. */
  deny?: MediaDenial;
  /** The devices to open; default PLACEHOLDER_DEVICES. The first of a kind answers `true`. */
  devices?: readonly NodeMediaDevice[];
}

export interface WeriftGetUserMedia {
  (media: MediaRequest): Promise<MediaStreamPort>;
  /** Every request, in order, including refused ones. */
  readonly requests: readonly MediaRequest[];
  /** Every track handed out, in order: lets a test assert that all of them were stopped. */
  readonly tracks: readonly WeriftLocalTrack[];
}

const DENIAL_MESSAGES: Record<MediaDenial, string> = {
  NotAllowedError: 'Permission denied',
  NotFoundError: 'Requested device not found',
};

const DEVICE_KINDS: Record<MediaKind, NodeMediaDevice['kind']> = { audio: 'audioinput', video: 'videoinput' };

/** The device a constraint asks for, or a DOMException as a browser would reject with. */
function pickDevice(
  devices: readonly NodeMediaDevice[],
  kind: MediaKind,
  constraint: Exclude<MediaConstraint, false>,
): NodeMediaDevice {
  const ofKind = devices.filter((device) => device.kind === DEVICE_KINDS[kind]);
  if (constraint === true) {
    const first = ofKind[0];
    if (!first) throw new DOMException(DENIAL_MESSAGES.NotFoundError, 'NotFoundError');
    return first;
  }
  const wanted = constraint.deviceId.exact;
  const device = ofKind.find((candidate) => candidate.deviceId === wanted);
  if (!device) throw new DOMException(`no ${kind} device "${wanted}"`, 'OverconstrainedError');
  return device;
}

export function createWeriftGetUserMedia(options: WeriftGetUserMediaOptions = {}): WeriftGetUserMedia {
  const devices = options.devices ?? PLACEHOLDER_DEVICES;
  const requests: MediaRequest[] = [];
  const tracks: WeriftLocalTrack[] = [];
  const getUserMedia = async (media: MediaRequest): Promise<MediaStreamPort> => {
    requests.push(structuredClone(media));
    if (options.deny) throw new DOMException(DENIAL_MESSAGES[options.deny], options.deny);
    if (!media.audio && !media.video) {
      throw new TypeError('getUserMedia: at least one of audio and video must be requested');
    }
    // Every device is found before any track starts, so a refusal leaves nothing running.
    const picked = (['audio', 'video'] as const).flatMap((kind) => {
      const constraint = media[kind];
      return constraint === false ? [] : [pickDevice(devices, kind, constraint)];
    });
    const stream = new MediaStream();
    for (const device of picked) {
      const track = new WeriftLocalTrack(device);
      tracks.push(track);
      stream.addTrack(track);
    }
    return stream;
  };
  return Object.assign(getUserMedia, { requests, tracks });
}

/** enumerateDevices over the same list: DeviceInfo without the sources. */
export function createEnumerateDevices(
  devices: readonly NodeMediaDevice[] = PLACEHOLDER_DEVICES,
): EnumerateDevices {
  return async () =>
    devices.map(({ deviceId, kind, label, groupId }) => ({
      deviceId,
      kind,
      label,
      ...(groupId !== undefined ? { groupId } : {}),
    }));
}
