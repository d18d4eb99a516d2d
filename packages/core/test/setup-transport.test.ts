// What a call asks of the peer connection it is made with, for a quick setup: one transport for all of its
// media and its message channel (BUNDLE), so ICE gathers, trickles and checks candidates once, not once per
// m-line. On the fakes and the rig's manual clock.
import { afterEach, describe, expect, it } from 'vitest';
import type { PeerConnectionConfig } from '../src/index.js';
import { createFakePeerConnections } from '../src/testing/index.js';
import { createRig, type Rig } from './phone-rig.js';

let rig: Rig;
afterEach(() => rig?.dispose());

describe('the peer connection a call is made with', () => {
  it('bundles every m-line on one transport, on both sides', async () => {
    rig = createRig();
    const configs: PeerConnectionConfig[] = [];
    const recording = () => {
      const pcs = createFakePeerConnections();
      return (config: PeerConnectionConfig) => {
        configs.push(config);
        return pcs.factory(config);
      };
    };
    const alice = rig.add('alice', { peerConnectionFactory: recording() });
    const bob = rig.add('bob', { peerConnectionFactory: recording() });
    bob.phone.events$.subscribe((event) => {
      if (event.type === 'incoming-call') bob.phone.answerCall();
    });
    alice.phone.makeCall('bob');
    await rig.settle();
    expect(alice.view().state).toBe('connected');
    expect(configs).toHaveLength(2);
    for (const config of configs) expect(config.bundlePolicy).toBe('max-bundle');
  });
});
