// A device changes network mid-call: its signaling link drops and comes back. The call must restart ICE at
// once (fresh candidates) instead of waiting for ICE to notice or fail, and show `reconnecting` meanwhile.
import { describe, expect, it } from 'vitest';
import type { RigOptions } from './phone-rig.js';
import { connectedCall, ringingCall, sentOfType } from './phone-scenarios.js';

/** Connected, but Alice's fake ICE moves only when the test says: a restart does not heal by itself. */
async function connectedByHand(options: RigOptions = {}) {
  const phones = await ringingCall(options, { alice: { pc: { autoConnect: false } } });
  phones.bob.phone.answerCall();
  await phones.rig.settle();
  phones.alice.pc().setIceState('connected');
  await phones.rig.settle();
  expect(phones.alice.view().state).toBe('connected');
  return phones;
}

const restartOffers = (phones: Awaited<ReturnType<typeof ringingCall>>) =>
  sentOfType(phones.alice, 'negotiate').filter((e) => e.iceRestart && e.description.type === 'offer');

describe('a network change during a call', () => {
  it('restarts ICE as soon as the signaling link comes back, with no timer run out', async () => {
    const phones = await connectedCall();
    const { alice, rig } = phones;
    alice.transport.drop();
    await rig.settle();
    // Media needs no signaling: a link that is down changes nothing yet.
    expect(alice.view().state).toBe('connected');
    expect(restartOffers(phones)).toHaveLength(0);

    alice.transport.restore();
    await rig.settle();
    expect(restartOffers(phones)).toHaveLength(1);
    expect(rig.clock.now).toBeLessThan(rig.timeouts.iceDisconnectGraceMs);
    expect(alice.events.filter((e) => e.type === 'state-changed').map((e) => e.state)).toContain(
      'reconnecting',
    );
    // ICE never went down, so no ICE state change will say the restart is over: its answer does.
    await rig.settle();
    expect(alice.view().state).toBe('connected');
    expect(phones.bob.view().state).toBe('connected');
    rig.dispose();
  });

  it('cuts short the grace of an ICE `disconnected` when the link comes back meanwhile', async () => {
    const phones = await connectedCall();
    const { alice, rig } = phones;
    alice.transport.drop();
    alice.pc().setIceState('disconnected');
    await rig.settle();
    expect(restartOffers(phones)).toHaveLength(0);
    alice.transport.restore();
    await rig.settle();
    expect(restartOffers(phones)).toHaveLength(1);
    expect(rig.clock.now).toBeLessThan(rig.timeouts.iceDisconnectGraceMs);
    rig.dispose();
  });

  it('offers the restart again when the link comes back during one, instead of waiting iceRestartMs', async () => {
    const phones = await connectedByHand();
    const { alice, rig } = phones;
    // The restart offer is made while the link is down: it may never reach the peer.
    alice.transport.drop();
    alice.pc().setIceState('failed');
    await rig.settle();
    expect(alice.view().state).toBe('reconnecting');
    alice.transport.restore();
    await rig.settle();
    // The held offer, and a fresh one made the moment the link was back.
    expect(restartOffers(phones)).toHaveLength(2);
    expect(rig.clock.now).toBeLessThan(rig.timeouts.iceRestartMs);
    // Perfect negotiation sorts the two out: once ICE is up, the call is connected again.
    alice.pc().setIceState('connected');
    await rig.settle();
    expect(alice.view().state).toBe('connected');
    rig.dispose();
  });

  it('makes no fresh offer when the link comes back once the restarts are spent', async () => {
    const phones = await connectedByHand({ maxIceRestarts: 1 });
    const { alice, rig } = phones;
    alice.transport.drop();
    alice.pc().setIceState('failed');
    await rig.settle();
    alice.transport.restore();
    await rig.settle();
    expect(restartOffers(phones)).toHaveLength(1);
    rig.dispose();
  });
});
