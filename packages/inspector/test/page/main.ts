// Two phones in one page on core's in-memory network (fake media: no server, no camera), Alice's calls
// drawn by <handset-statechart>. The README's runnable example; the Chromium test builds and drives it.
import { createPhone, type Phone } from '@handset/core';
import { callMachine } from '@handset/core/machine';
import { createFakeMedia, createFakePeerConnections, createMemoryNetwork } from '@handset/core/testing';
import { defineStatechartElement } from '@handset/inspector';

defineStatechartElement(); // registers <handset-statechart>; importing the package alone registers nothing
const element = document.createElement('handset-statechart');
element.id = 'chart';
// Scroll to the call's progress, not to every candidate batch the trickle region starts and ends.
element.setAttribute('follow', 'call.idle call.active.phase call.ended');
document.body.append(element);
element.machine = callMachine;

const network = createMemoryNetwork();
function phone(userId: string, inspect?: typeof element.inspector): Phone {
  return createPhone({
    userId,
    transport: network.connect(userId),
    peerConnectionFactory: createFakePeerConnections().factory,
    getUserMedia: createFakeMedia().getUserMedia,
    ...(inspect ? { inspect } : {}),
  });
}

const alice = phone('alice', element.inspector); // the element follows every call Alice's phone makes
const bob = phone('bob');
// Try it: harness.alice.makeCall('bob'), then harness.bob.answerCall(), then harness.alice.hangupCall().
Object.assign(window, { harness: { alice, bob, element, phone } });
