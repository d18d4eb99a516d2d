// Starting points the phone's failure tests share: a ringing call, a connected call, and frames built the
// way a peer (or an attacker) would send them.
import { expect } from 'vitest';
import { createEnvelope, type Envelope, type EnvelopeDraft, encodeEnvelope } from '../src/index.js';
import { createRig, type Handset, type HandsetOptions, type Rig, type RigOptions } from './phone-rig.js';

let messageNumber = 0;
export const frameOf = (draft: EnvelopeDraft): string =>
  encodeEnvelope(createEnvelope(draft, `m${++messageNumber}`));

export const sentOfType = <T extends Envelope['type']>(handset: Handset, type: T) =>
  handset.sent().filter((e): e is Extract<Envelope, { type: T }> => e.type === type);

export interface TwoPhones {
  rig: Rig;
  alice: Handset;
  bob: Handset;
  callId: string;
}

/** Alice calls Bob; Bob's phone is ringing. */
export async function ringingCall(
  options: RigOptions = {},
  handsets: { alice?: HandsetOptions; bob?: HandsetOptions } = {},
): Promise<TwoPhones> {
  const rig = createRig(options);
  const alice = rig.add('alice', handsets.alice);
  const bob = rig.add('bob', handsets.bob);
  const callId = alice.phone.makeCall('bob');
  await rig.settle();
  expect(bob.view()).toMatchObject({ state: 'incoming', callId });
  return { rig, alice, bob, callId };
}

/** Alice calls Bob and Bob answers; both end up connected. */
export async function connectedCall(
  options: RigOptions = {},
  handsets: { alice?: HandsetOptions; bob?: HandsetOptions } = {},
): Promise<TwoPhones> {
  const phones = await ringingCall(options, handsets);
  phones.bob.phone.answerCall();
  await phones.rig.settle();
  expect(phones.alice.view()).toMatchObject({ state: 'connected', callId: phones.callId });
  expect(phones.bob.view()).toMatchObject({ state: 'connected', callId: phones.callId });
  return phones;
}
