// Stand-ins for media tracks, getUserMedia, getDisplayMedia and enumerateDevices: deterministic, with test
// controls for what a user or a device does (refuse a prompt, unplug a camera, press "Stop sharing").
import type {
  DeviceInfo,
  GetDisplayMedia,
  GetUserMedia,
  MediaConstraint,
  MediaRequest,
  MediaStreamPort,
  MediaTrackPort,
} from '../ports.js';

export class FakeTrack implements MediaTrackPort {
  enabled = true;
  stopped = false;
  /** `ended` once stopped or ended by the device (`end()`). */
  readyState: 'live' | 'ended' = 'live';
  readonly label: string;
  readonly deviceId: string;
  private readonly endedListeners = new Set<() => void>();

  constructor(
    readonly kind: string,
    options: { label?: string; deviceId?: string } = {},
  ) {
    this.deviceId = options.deviceId ?? `default-${kind}`;
    this.label = options.label ?? `fake ${kind} (${this.deviceId})`;
  }

  /** As on a platform: the app's own stop() ends the track without an `ended` event. */
  stop(): void {
    this.stopped = true;
    this.readyState = 'ended';
  }

  getSettings(): { deviceId: string } {
    return { deviceId: this.deviceId };
  }

  addEventListener(_type: 'ended', listener: () => void): void {
    this.endedListeners.add(listener);
  }

  removeEventListener(_type: 'ended', listener: () => void): void {
    this.endedListeners.delete(listener);
  }

  /** How many `ended` listeners are attached (a finished call must leave none it added). */
  get endedListenerCount(): number {
    return this.endedListeners.size;
  }

  /** Test control: the device went away (unplugged), or the browser's "Stop sharing" ended a screen. */
  end(): void {
    if (this.readyState === 'ended') return;
    this.readyState = 'ended';
    for (const listener of [...this.endedListeners]) listener();
  }
}

export class FakeMediaStream implements MediaStreamPort {
  constructor(readonly tracks: FakeTrack[]) {}
  getTracks(): FakeTrack[] {
    return this.tracks;
  }
}

type Refusal = 'NotAllowedError' | 'NotFoundError';

export interface FakeMedia {
  getUserMedia: GetUserMedia;
  getDisplayMedia: GetDisplayMedia;
  enumerateDevices(): Promise<DeviceInfo[]>;
  /** Every stream handed out (camera, microphone and screens), to check that all their tracks were stopped. */
  readonly streams: FakeMediaStream[];
  /** Every getUserMedia request, in order. */
  readonly requests: MediaRequest[];
  /** Test control: refuse every later getUserMedia (undefined grants again). */
  deny: Refusal | undefined;
  /** Test control: refuse every later getDisplayMedia (the user cancelled the picker). */
  denyScreen: Refusal | undefined;
  /** The devices `enumerateDevices` lists; getUserMedia refuses an exact deviceId not among them. */
  devices: DeviceInfo[];
}

const DEFAULT_DEVICES: DeviceInfo[] = [
  { deviceId: 'default-audio', kind: 'audioinput', label: 'Fake microphone', groupId: 'fake' },
  { deviceId: 'second-audio', kind: 'audioinput', label: 'Fake headset microphone', groupId: 'fake-2' },
  { deviceId: 'default-video', kind: 'videoinput', label: 'Fake camera', groupId: 'fake' },
  { deviceId: 'second-video', kind: 'videoinput', label: 'Fake second camera', groupId: 'fake-2' },
  { deviceId: 'default-output', kind: 'audiooutput', label: 'Fake speaker', groupId: 'fake' },
];

function refusal(name: Refusal, what: string): Error {
  const error = new Error(`fake ${what}: ${name}`);
  error.name = name;
  return error;
}

export function createFakeMedia(options: { deny?: Refusal } = {}): FakeMedia {
  const media: FakeMedia = {
    streams: [],
    requests: [],
    deny: options.deny,
    denyScreen: undefined,
    devices: [...DEFAULT_DEVICES],
    async getUserMedia(request: MediaRequest) {
      media.requests.push(request);
      if (media.deny) throw refusal(media.deny, 'getUserMedia');
      const track = (kind: 'audio' | 'video', constraint: MediaConstraint): FakeTrack[] => {
        if (constraint === false) return [];
        if (constraint === true) return [new FakeTrack(kind)];
        const wanted = constraint.deviceId.exact;
        const known = media.devices.some((d) => d.deviceId === wanted && d.kind === `${kind}input`);
        if (!known) throw refusal('NotFoundError', `getUserMedia (no ${kind} device ${wanted})`);
        return [new FakeTrack(kind, { deviceId: wanted })];
      };
      const stream = new FakeMediaStream([
        ...track('audio', request.audio),
        ...track('video', request.video),
      ]);
      media.streams.push(stream);
      return stream;
    },
    async getDisplayMedia() {
      if (media.denyScreen) throw refusal(media.denyScreen, 'getDisplayMedia');
      const stream = new FakeMediaStream([
        new FakeTrack('video', { label: 'screen:0:0', deviceId: 'screen' }),
      ]);
      media.streams.push(stream);
      return stream;
    },
    async enumerateDevices() {
      return media.devices.map((device) => ({ ...device }));
    },
  };
  return media;
}
