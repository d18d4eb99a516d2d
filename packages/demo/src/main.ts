// The contact-video page: log in, call, answer, hang up, with the call's statechart drawn beside it.
// Everything about the call comes from @handset/core's `createPhone`; this file only wires it to the DOM.
import { type CallView, createPhone, HandsetError, type Phone } from '@handset/core';
import { callMachine } from '@handset/core/machine';
import type { InspectionEvent, Observer } from 'xstate';
import { createBrowserPorts } from './browser-ports.js';
import { createCallControls } from './call-controls.js';
import { showCallQuality } from './call-quality-badge.js';
import { describeCallState } from './call-status-text.js';
import { createChatPanel } from './chat-panel.js';
import { describeEnding, isOrdinaryEnding } from './end-messages.js';
import { findPageElements } from './page-elements.js';
import { describePeerState } from './peer-state-text.js';
import { createTonePlayer } from './ring-tones.js';
import {
  isTransportKind,
  openSignalingLink,
  type SignalingLink,
  TRANSPORT_LABELS,
} from './signaling-link.js';
import { createStatechartPanel } from './statechart-panel.js';
import { preloadStatelyInspector, type StatelyInspectorLoader } from './stately-inspector.js';

const params = new URLSearchParams(location.search);
const page = findPageElements();
const tones = createTonePlayer();
// Tests on one machine ask for loopback-only ICE candidates; a real user never needs this.
const ports = createBrowserPorts({ loopbackOnly: params.has('loopback') });
const panel = createStatechartPanel(callMachine, page.statechart, page.transitionLog);
const statelyInspector: Promise<StatelyInspectorLoader> | null = params.has('inspect')
  ? preloadStatelyInspector()
  : null;
let stately: StatelyInspectorLoader | null = null;
void statelyInspector?.then(
  (loader) => {
    stately = loader;
  },
  () => showMessage('The Stately inspector could not be loaded (it needs the network).', 'inspector'),
);

let phone: Phone | null = null;
let link: SignalingLink | null = null;

// Links can carry the form: ?id=10000&peer=20000&transport=mqtt
page.myId.value = params.get('id') ?? '';
page.peerId.value = params.get('peer') ?? '';
const preset = params.get('transport');
if (isTransportKind(preset)) page.transport.value = preset;

function showMessage(text: string, code: string): void {
  page.callMessage.textContent = text;
  page.callMessage.dataset.endCode = code;
}

function errorText(error: unknown): string {
  if (error instanceof HandsetError) return error.message;
  return error instanceof Error ? error.message : String(error);
}

/** An in-call refusal (`screen-share-failed`, `message-too-large`...) shown with its code. */
function showError(error: unknown): void {
  showMessage(errorText(error), error instanceof HandsetError ? error.code : 'command');
}

const controls = createCallControls(page, {
  phone: () => phone,
  canShareScreen: ports.getDisplayMedia !== undefined,
  report: showError,
});
const chat = createChatPanel(
  { chat: page.chat, log: page.chatLog, form: page.chatForm, message: page.message, send: page.send },
  { phone: () => phone, report: showError },
);

/** Sets a video's stream only when it changed, so playback is not restarted on every snapshot. */
function attach(video: HTMLVideoElement, stream: unknown): void {
  const next = stream instanceof MediaStream ? stream : null;
  if (video.srcObject !== next) video.srcObject = next;
}

const ACTIVE_STATES = new Set([
  'acquiring-media',
  'dialing',
  'ringing',
  'answering',
  'connecting',
  'connected',
  'on-hold',
  'reconnecting',
  'renegotiating',
]);

/** States in which media may flow and stats$ may speak. */
const MEDIA_STATES = new Set(['connected', 'on-hold', 'reconnecting', 'renegotiating']);

let shownState: CallView['state'] | null = null;

function render(view: CallView): void {
  const loggedIn = phone !== null;
  page.callState.dataset.callState = view.state;
  document.body.dataset.callState = view.state;
  page.callStateText.textContent = loggedIn ? describeCallState(view) : 'Log in to make or take a call.';
  page.call.disabled = !loggedIn || !(view.state === 'idle' || view.state === 'ended');
  page.answer.disabled = view.state !== 'incoming';
  page.reject.disabled = view.state !== 'incoming';
  page.hangup.disabled = !ACTIVE_STATES.has(view.state);
  page.remoteCaption.textContent = view.peerId ?? 'Peer';
  attach(page.localVideo, view.localStream);
  attach(page.remoteVideo, view.remoteStream);
  controls.render(view);
  chat.render(view);
  page.peerState.textContent = describePeerState(view)
    .map((line) => `${line}.`)
    .join(' ');
  page.remoteScreenLabel.hidden = !(MEDIA_STATES.has(view.state) && view.remoteMedia.screen);
  // Samples come only while connected; the badge goes when the call does.
  if (!MEDIA_STATES.has(view.state)) showCallQuality(page.callQuality, null);

  if (view.state === 'incoming') tones.play('ringing');
  else if (view.state === 'ringing') tones.play('ring-back');
  else tones.stop();

  if (view.state === 'ended' && view.endReason) {
    showMessage(describeEnding(view), view.endReason.code);
    page.callMessage.classList.toggle('ordinary', isOrdinaryEnding(view.endReason));
  } else if (view.state !== 'idle' && view.state !== shownState) {
    // A refusal shown mid-call (screen refused, message too long) stays until the call moves on.
    showMessage('', '');
  }
  shownState = view.state;
}

function login(): void {
  const userId = page.myId.value.trim();
  const kind = page.transport.value;
  if (!userId) {
    showMessage('Enter your ID first (any number, e.g. 10000).', 'login');
    return;
  }
  if (!isTransportKind(kind)) return;
  tones.unlock();
  const inspectors: Array<Observer<InspectionEvent>> = [{ next: panel.inspect }];
  if (stately) inspectors.push(stately.open());
  try {
    link = openSignalingLink(kind, userId);
    phone = createPhone({
      userId,
      transport: link.transport,
      peerConnectionFactory: ports.peerConnectionFactory,
      getUserMedia: ports.getUserMedia,
      getDisplayMedia: ports.getDisplayMedia,
      enumerateDevices: ports.enumerateDevices,
      // No iceServers: the WebSocket server hands out its coturn relay (when the demo found one) with fresh
      // credentials. "Relay only" forces every call through it (TURN relay candidates only).
      iceTransportPolicy: page.relayOnly.checked ? 'relay' : 'all',
      inspect: (event) => {
        for (const inspector of inspectors) inspector.next?.(event);
      },
    });
  } catch (error) {
    link?.transport.close();
    link = null;
    showMessage(`Could not log in: ${errorText(error)}`, 'login');
    return;
  }
  const { transport } = link;
  for (const field of [page.myId, page.transport, page.relayOnly, page.login]) field.disabled = true;
  page.linkStatus.textContent = `${userId} · ${TRANSPORT_LABELS[kind]} · connecting…`;
  page.linkStatus.dataset.linkStatus = 'connecting';
  chat.listen(phone);
  phone.call$.subscribe(render);
  phone.events$.subscribe((event) => {
    // A device unplugged or refused mid-call: the call goes on, the person is told why.
    if (event.type === 'call-warning' && DEVICE_WARNINGS.has(event.error.code)) showError(event.error);
  });
  phone.stats$.subscribe((stats) => showCallQuality(page.callQuality, stats));
  transport.status$.subscribe((status) => {
    page.linkStatus.textContent = `${userId} · ${TRANSPORT_LABELS[kind]} · ${status}`;
    page.linkStatus.dataset.linkStatus = status;
  });
  link.errors$.subscribe((error) => showMessage(`Signaling: ${error.message}`, 'signaling'));
  page.peerId.focus();
}

const DEVICE_WARNINGS: ReadonlySet<string> = new Set(['device-lost', 'device-failed', 'screen-share-failed']);

/** Runs a phone command; a refusal (no peer id, wrong moment) becomes a message instead of an exception. */
function command(run: (phone: Phone) => void): void {
  if (!phone) return;
  try {
    run(phone);
  } catch (error) {
    showMessage(errorText(error), 'command');
  }
}

page.loginForm.addEventListener('submit', (event) => {
  event.preventDefault();
  login();
});
page.call.addEventListener('click', () => {
  const peerId = page.peerId.value.trim();
  if (!peerId) {
    showMessage('Enter the Peer ID to call.', 'command');
    return;
  }
  tones.unlock();
  command((p) => p.makeCall(peerId));
});
page.answer.addEventListener('click', () => command((p) => p.answerCall()));
page.reject.addEventListener('click', () => command((p) => p.rejectCall()));
page.hangup.addEventListener('click', () => command((p) => p.hangupCall()));
page.sound.addEventListener('change', () => tones.setEnabled(page.sound.checked));
window.addEventListener('pagehide', () => {
  phone?.dispose();
  link?.transport.close();
});

// For the browser tests and the curious: `handsetDemo.phone`, `handsetDemo.peerConnection()`.
Object.assign(window, {
  handsetDemo: {
    get phone() {
      return phone;
    },
    peerConnection: () => ports.lastPeerConnection(),
    activeStates: () => [...panel.activeIds()],
  },
});
