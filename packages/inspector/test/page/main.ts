// The Chromium test's page: two phones on core's in-memory network (fake peer connections), Alice's
// call machine drawn by <handset-statechart>. The test drives the phones through `window.harness`.
import { createPhone, type Phone } from '@handset/core';
import { callMachine } from '@handset/core/machine';
import { createFakeMedia, createFakePeerConnections, createMemoryNetwork } from '@handset/core/testing';
import { defineStatechartElement } from '@handset/inspector';

defineStatechartElement();
const element = document.createElement('handset-statechart');
element.id = 'chart';
document.body.append(element);
element.machine = callMachine;

const network = createMemoryNetwork();
function phone(userId: string, inspect?: typeof element.inspector): Phone {
  const media = createFakeMedia();
  return createPhone({
    userId,
    transport: network.connect(userId),
    peerConnectionFactory: createFakePeerConnections().factory,
    getUserMedia: media.getUserMedia,
    ...(inspect ? { inspect } : {}),
  });
}

const alice = phone('alice', element.inspector);
const bob = phone('bob');
Object.assign(window, { harness: { alice, bob, element, phone } });
