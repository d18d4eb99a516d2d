// The signaling link comes back during a connected call whose ICE is up. Only one side restarts ICE at once:
// the caller (impolite). The callee waits `peerIceRestartWaitMs` for that restart and answers it; when both
// links came back together (a broker restart) that is one restart, not two back to back. Alone (only the
// callee's network changed), the callee restarts itself once the wait is over.
import { describe, expect, it } from 'vitest';
import type { Handset } from './phone-rig.js';
import { connectedCall, sentOfType } from './phone-scenarios.js';

const restartOffers = (handset: Handset) =>
  sentOfType(handset, 'negotiate').filter((e) => e.iceRestart && e.description.type === 'offer');

describe('a link that comes back with ICE up', () => {
  it("makes the callee answer the caller's ICE restart instead of crossing it with its own", async () => {
    const { alice, bob, rig } = await connectedCall();
    alice.transport.drop();
    bob.transport.drop();
    await rig.settle();
    bob.transport.restore();
    await rig.settle();
    expect(restartOffers(bob)).toHaveLength(0);
    alice.transport.restore();
    await rig.settle();
    expect(restartOffers(alice)).toHaveLength(1);
    // Well past the callee's wait: its restart was answered, not made.
    await rig.clock.advance(rig.timeouts.peerIceRestartWaitMs * 3);
    await rig.settle();
    expect(restartOffers(bob)).toHaveLength(0);
    expect(sentOfType(bob, 'negotiate').map((e) => e.description.type)).toEqual(['answer']);
    expect([alice.view().state, bob.view().state]).toEqual(['connected', 'connected']);
    rig.dispose();
  });

  it('makes the callee restart ICE itself when no restart comes from the caller within the wait', async () => {
    const { bob, rig } = await connectedCall();
    bob.transport.drop();
    await rig.settle();
    bob.transport.restore();
    await rig.settle();
    expect(restartOffers(bob)).toHaveLength(0);
    await rig.clock.advance(rig.timeouts.peerIceRestartWaitMs);
    await rig.settle();
    expect(restartOffers(bob)).toHaveLength(1);
    // ICE never went down: the restart is over with its answer.
    expect(bob.view().state).toBe('connected');
    rig.dispose();
  });

  it('makes the callee restart at once when ICE goes down during the wait', async () => {
    const { bob, rig } = await connectedCall();
    bob.transport.drop();
    await rig.settle();
    bob.transport.restore();
    await rig.settle();
    bob.pc().setIceState('disconnected');
    await rig.settle();
    expect(restartOffers(bob)).toHaveLength(1);
    expect(rig.clock.now).toBeLessThan(rig.timeouts.peerIceRestartWaitMs);
    rig.dispose();
  });

  it('makes the caller restart ICE at once', async () => {
    const { alice, rig } = await connectedCall();
    alice.transport.drop();
    await rig.settle();
    alice.transport.restore();
    await rig.settle();
    expect(restartOffers(alice)).toHaveLength(1);
    expect(rig.clock.now).toBeLessThan(rig.timeouts.peerIceRestartWaitMs);
    rig.dispose();
  });
});
