// Everything a phone needs from the platform, for Node, in one call: createNodePorts() gives the werift
// peer-connection factory and the media ports, and dispose() releases every socket, timer and track.
import type { EnumerateDevices, GetDisplayMedia, MediaStreamPort } from '@handset/core';
import { MediaStream } from 'werift';
import { tone, videoPlaceholder } from './media-sources.js';
import type { MediaSource } from './rtp-source.js';
import {
  createEnumerateDevices,
  createWeriftGetUserMedia,
  type NodeMediaDevice,
  type WeriftGetUserMedia,
  WeriftLocalTrack,
} from './werift-media.js';
import {
  createWeriftPeerConnectionFactory,
  type WeriftPeerConnectionFactory,
} from './werift-peer-connection-factory.js';

export interface NodePortsOptions {
  /** Only 127.0.0.1 candidates: tests, or a program whose peers run on the same machine. Default false. */
  loopbackOnly?: boolean;
  /** The fake devices getUserMedia opens and enumerateDevices lists; default NODE_DEVICES. */
  devices?: readonly NodeMediaDevice[];
  /** What a shared "screen" shows; default a video placeholder. */
  screen?: MediaSource;
}

export interface NodePorts {
  /** PhoneOptions.peerConnectionFactory. */
  readonly peerConnectionFactory: WeriftPeerConnectionFactory;
  /** PhoneOptions.getUserMedia: honours `{ deviceId: { exact } }` against `devices`. */
  readonly getUserMedia: WeriftGetUserMedia;
  /** PhoneOptions.getDisplayMedia: a track labelled `screen:node`. */
  readonly getDisplayMedia: GetDisplayMedia;
  /** PhoneOptions.enumerateDevices. */
  readonly enumerateDevices: EnumerateDevices;
  /** Closes every peer connection, stops every track handed out, and waits until the sockets are released. */
  dispose(): Promise<void>;
}

/**
 * Two microphones (a 440 Hz and a 660 Hz Opus tone) and two cameras (video placeholders), so that a
 * device switch is audible and testable.
 */
export const NODE_DEVICES: readonly NodeMediaDevice[] = [
  { deviceId: 'microphone-1', kind: 'audioinput', label: 'Tone 440 Hz', groupId: 'node', source: tone() },
  {
    deviceId: 'microphone-2',
    kind: 'audioinput',
    label: 'Tone 660 Hz',
    groupId: 'node',
    source: tone({ frequencyHz: 660 }),
  },
  {
    deviceId: 'camera-1',
    kind: 'videoinput',
    label: 'Camera 1',
    groupId: 'node',
    source: videoPlaceholder(),
  },
  {
    deviceId: 'camera-2',
    kind: 'videoinput',
    label: 'Camera 2',
    groupId: 'node',
    source: videoPlaceholder(),
  },
];

export function createNodePorts(options: NodePortsOptions = {}): NodePorts {
  const devices = options.devices ?? NODE_DEVICES;
  const peerConnectionFactory = createWeriftPeerConnectionFactory({
    loopbackOnly: options.loopbackOnly ?? false,
  });
  const getUserMedia = createWeriftGetUserMedia({ devices });
  const screens: WeriftLocalTrack[] = [];
  const getDisplayMedia: GetDisplayMedia = async (): Promise<MediaStreamPort> => {
    const track = new WeriftLocalTrack({
      deviceId: 'screen',
      label: 'screen:node',
      source: options.screen ?? videoPlaceholder(),
    });
    screens.push(track);
    return new MediaStream([track]);
  };
  return {
    peerConnectionFactory,
    getUserMedia,
    getDisplayMedia,
    enumerateDevices: createEnumerateDevices(devices),
    dispose: async () => {
      for (const track of [...getUserMedia.tracks, ...screens]) track.stop();
      await peerConnectionFactory.closeAll();
    },
  };
}
