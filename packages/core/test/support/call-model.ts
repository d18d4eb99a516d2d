// The abstract model of the call machine that the model-based test walks: the machine itself with the one
// guard that reads the live peer connection made observable, the events a real call can meet in each
// state (timers and promise outcomes read from the state nodes), and the state abstraction to compare.
import { type AnyEventObject, createEmptyActor, type SnapshotFrom } from 'xstate';
import {
  type CallContext,
  type CallInput,
  type CallTimeouts,
  callMachine,
  createEnvelope,
  type Envelope,
  type EnvelopeDraft,
  HandsetError,
  type MediaStreamPort,
  type PeerConnectionPort,
} from '../../src/index.js';
import { RemoteDescriptionError } from '../../src/negotiation.js';
import { transitionKey } from './machine-transitions.js';

export type CallSnapshot = SnapshotFrom<typeof callMachine>;

export const ME = 'alice';
export const MY_DEVICE = 'alice-laptop';
export const MY_OTHER_DEVICE = 'alice-phone';
export const PEER = 'bob';
export const PEER_DEVICE = 'bob-phone';
export const STRANGER = 'carol';
export const STRANGER_DEVICE = 'carol-desk';
/** Our outgoing call; a crossing invite from the peer carries a lesser or a greater id. */
export const OUR_CALL = 'call-m';
export const LESSER_CALL = 'call-a';
export const GREATER_CALL = 'call-z';
export const THEIR_CALL = 'call-i';
export const STRANGER_CALL = 'call-s';

/** Distinct durations, so a pending timer's duration names the delay it belongs to. */
export const TIMEOUTS: CallTimeouts = {
  inviteMs: 30_000,
  connectMs: 20_000,
  iceDisconnectGraceMs: 2_000,
  iceRestartMs: 10_000,
  candidateBatchMs: 20,
};
export const INVITE_LIFETIME_MS = 45_000;
/** Two, so `reconnecting` both retries (first timeout) and gives up (second). */
export const MAX_ICE_RESTARTS = 2;

export const DELAY_MS: Record<string, number> = {
  inviteTimeout: TIMEOUTS.inviteMs,
  inviteLifetime: INVITE_LIFETIME_MS,
  connectTimeout: TIMEOUTS.connectMs,
  iceDisconnectGrace: TIMEOUTS.iceDisconnectGraceMs,
  iceRestartTimeout: TIMEOUTS.iceRestartMs,
  candidateBatchWindow: TIMEOUTS.candidateBatchMs,
};

export const settings = {
  userId: ME,
  deviceId: MY_DEVICE,
  timeouts: TIMEOUTS,
  maxIceRestarts: MAX_ICE_RESTARTS,
};

export const sdp = (what: string) => `v=0\r\no=${what} 1 1 IN IP4 127.0.0.1\r\ns=-\r\n`;

function mediaError(name: string): Error {
  const error = new Error(`getUserMedia: ${name}`);
  error.name = name;
  return error;
}

/** One instance per kind: errors carry no state, and the model and the real run can share them. */
export const ERRORS = {
  permissionDenied: mediaError('NotAllowedError'),
  noDevice: mediaError('NotFoundError'),
  refusedDescription: new RemoteDescriptionError('remote description was refused'),
  failed: new Error('the peer connection failed the operation'),
};

/**
 * The model machine. `isIceAlreadyUp` is the one guard that reads the peer connection instead of the
 * context or the event; in the model, "ICE connected while the answer was being applied" is a flag on
 * that promise's done event, and the real run makes it true on the fake peer connection before resolving.
 */
export const modelMachine = callMachine.provide({
  guards: { isIceAlreadyUp: ({ event }) => (event as { iceUp?: boolean }).iceUp === true },
});

const modelStream: MediaStreamPort = { getTracks: () => [] };

export const modelInput: CallInput = {
  settings,
  ports: {
    send: () => {},
    // The model never runs custom actions or actors; it only needs something to hold in the context.
    createPeerConnection: () => ({ iceConnectionState: 'new' }) as PeerConnectionPort,
    getUserMedia: async () => modelStream,
    reportError: () => {},
    candidateRejected: (cause) => new HandsetError('candidate-rejected', 'refused', { cause }),
  },
};

/** What the test compares between the model and the real machine after every step (and what the graph's vertices are). */
export function abstractOf(snapshot: CallSnapshot) {
  const c = snapshot.context;
  return {
    value: snapshot.value,
    status: snapshot.status,
    callId: c.callId,
    direction: c.direction,
    peerId: c.peerId,
    peerDevice: c.peerDevice,
    localMedia: c.localStream !== null,
    queuedLocalCandidates: c.queuedLocalCandidates.length > 0,
    localGatheringComplete: c.localGatheringComplete,
    bufferedRemoteCandidates: c.pendingRemoteCandidates.length > 0,
    iceRestartAttempts: c.iceRestartAttempts,
    endReason: c.endReason,
  };
}

export const serializeState = (snapshot: CallSnapshot) => JSON.stringify(abstractOf(snapshot));

let messageNumber = 0;
const envelope = (draft: EnvelopeDraft): Envelope => createEnvelope(draft, `m${++messageNumber}`);

function invite(callId: string, from: string, fromDevice: string, lifetimeMs = INVITE_LIFETIME_MS) {
  return envelope({
    type: 'invite',
    callId,
    from,
    fromDevice,
    to: ME,
    sdp: sdp(`${from} offer`),
    media: { audio: true, video: true },
    lifetimeMs,
  });
}

/** A message of this call from the peer, addressed as the peer's own machine addresses it. */
function fromPeer(c: CallContext, body: Record<string, unknown>, toDevice: string | undefined = MY_DEVICE) {
  return envelope({
    callId: c.callId!,
    from: PEER,
    fromDevice: c.peerDevice ?? PEER_DEVICE,
    to: ME,
    ...(toDevice ? { toDevice } : {}),
    ...body,
  } as EnvelopeDraft);
}

const CANDIDATE = {
  candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 40000 typ host',
  sdpMid: '0',
  sdpMLineIndex: 0,
  usernameFragment: null,
};

/** The outcomes each invoked promise actor can have, as the events XState would deliver. */
function outcomes(src: string, invokeId: string, stateId: string): AnyEventObject[] {
  const done = (output: unknown, extra: object = {}) => ({
    type: `xstate.done.actor.${invokeId}`,
    actorId: invokeId,
    output,
    ...extra,
  });
  const failed = (error: Error) => ({ type: `xstate.error.actor.${invokeId}`, actorId: invokeId, error });
  switch (src) {
    case 'acquireMedia':
      return [done(modelStream), failed(ERRORS.permissionDenied), failed(ERRORS.noDevice)];
    case 'createOffer':
      return [done({ type: 'offer', sdp: sdp('alice offer') }), failed(ERRORS.failed)];
    case 'createAnswer':
      return [
        done({ type: 'answer', sdp: sdp('alice answer') }),
        failed(ERRORS.refusedDescription),
        failed(ERRORS.failed),
      ];
    case 'applyRemoteAnswer':
      return [
        done(undefined),
        // Only the call's first answer can find ICE already up when it is applied.
        ...(stateId === 'call.active.connecting.applyingAnswer' ? [done(undefined, { iceUp: true })] : []),
        failed(ERRORS.refusedDescription),
      ];
    case 'createRenegotiationOffer':
      return [
        done({ description: { type: 'offer', sdp: sdp('alice offer 2') }, iceRestart: false }),
        failed(ERRORS.failed),
      ];
    case 'answerRenegotiation':
      return [
        done({ description: { type: 'answer', sdp: sdp('alice answer 2') }, iceRestart: false }),
        failed(ERRORS.refusedDescription),
        failed(ERRORS.failed),
      ];
    default:
      return [];
  }
}

/**
 * The events a real call can meet in `snapshot`: only messages the peer could have sent by then (nobody
 * can answer an invite that is not out yet), peer-connection events only once there is something for the
 * connection to report, timers only while their state is active.
 */
export function modelEvents(snapshot: CallSnapshot): AnyEventObject[] {
  if (snapshot.status !== 'active') return [];
  const c = snapshot.context;
  const at = (id: string) => snapshot._nodes.some((node) => node.id === `call.${id}`);
  if (at('idle')) {
    return [
      { type: 'user.call', callId: OUR_CALL, peerId: PEER, media: { audio: true, video: true } },
      { type: 'remote.invite', envelope: invite(THEIR_CALL, PEER, PEER_DEVICE) },
    ];
  }
  const outgoing = c.direction === 'outgoing';
  const awaitingAnswer = at('active.acquiringMedia') || at('active.outgoing');
  const peerKnowsCall =
    !outgoing || !(at('active.acquiringMedia') || at('active.outgoing.dialing.creatingOffer'));
  const connecting = at('active.connecting');
  const connected = at('active.connected');
  const events: AnyEventObject[] = [
    { type: 'user.hangup' },
    { type: 'remote.invite', envelope: invite(STRANGER_CALL, STRANGER, STRANGER_DEVICE) },
  ];
  if (awaitingAnswer) {
    events.push(
      { type: 'remote.invite', envelope: invite(LESSER_CALL, PEER, PEER_DEVICE) },
      { type: 'remote.invite', envelope: invite(GREATER_CALL, PEER, PEER_DEVICE) },
    );
  }
  // The invite of this call, delivered a second time.
  if (!outgoing) events.push({ type: 'remote.invite', envelope: invite(c.callId!, PEER, c.peerDevice!) });
  if (at('active.incoming')) events.push({ type: 'user.answer' }, { type: 'user.reject' });
  if (at('active.outgoing') && peerKnowsCall) {
    events.push(
      { type: 'remote.ringing', envelope: fromPeer(c, { type: 'ringing' }) },
      { type: 'remote.answer', envelope: fromPeer(c, { type: 'answer', sdp: sdp('bob answer') }) },
      { type: 'remote.reject', envelope: fromPeer(c, { type: 'reject', reason: 'declined' }) },
      { type: 'remote.reject', envelope: fromPeer(c, { type: 'reject', reason: 'busy' }) },
      {
        type: 'remote.unavailable',
        envelope: envelope({
          type: 'unavailable',
          callId: c.callId!,
          from: PEER,
          fromDevice: 'server',
          to: ME,
        }),
      },
      // The callee answered and then could not open its camera.
      { type: 'remote.hangup', envelope: fromPeer(c, { type: 'hangup', reason: 'media-failed' }) },
    );
  }
  if (!outgoing && (at('active.incoming') || at('active.answering'))) {
    events.push({
      type: 'remote.answerSelected',
      envelope: fromPeer(c, { type: 'answer-selected', selectedDevice: MY_OTHER_DEVICE }, undefined),
    });
  }
  if (!outgoing && (at('active.incoming') || at('active.answering') || connecting)) {
    events.push({ type: 'remote.cancel', envelope: fromPeer(c, { type: 'cancel' }, undefined) });
  }
  if (connecting || connected) {
    events.push({ type: 'remote.hangup', envelope: fromPeer(c, { type: 'hangup', reason: 'normal' }) });
  }
  if (peerKnowsCall) {
    events.push({
      type: 'remote.candidates',
      envelope: fromPeer(c, { type: 'candidates', candidates: [CANDIDATE], end: false }),
    });
  }
  if (connected) {
    const negotiate = (type: 'offer' | 'answer') =>
      fromPeer(c, { type: 'negotiate', description: { type, sdp: sdp(`bob ${type} 2`) }, iceRestart: false });
    events.push({ type: 'remote.negotiate', envelope: negotiate('offer') });
    if (at('active.connected.negotiation.awaitingAnswer')) {
      events.push({ type: 'remote.negotiate', envelope: negotiate('answer') });
    }
  }
  // Local candidates exist once a local description has been set (inside createOffer / createAnswer).
  const hasLocalDescription =
    at('active.outgoing.dialing.creatingOffer') ||
    at('active.outgoing.dialing.inviting') ||
    at('active.outgoing.ringing') ||
    at('active.answering.creatingAnswer') ||
    connecting ||
    connected;
  if (hasLocalDescription) {
    events.push({ type: 'pc.candidate', candidate: CANDIDATE });
    if (!c.localGatheringComplete) events.push({ type: 'pc.candidatesEnd' });
  }
  // The batch window is open exactly while candidates wait in the queue.
  if (c.queuedLocalCandidates.length > 0 || c.localGatheringComplete)
    events.push({ type: 'candidates.flush' });
  const ice = (state: string) => ({ type: 'pc.iceState', state });
  if (at('active.connecting.checking')) events.push(ice('connected'), ice('failed'));
  if (at('active.connected.ice.stable')) events.push(ice('disconnected'), ice('failed'));
  if (at('active.connected.ice.interrupted')) events.push(ice('completed'), ice('failed'));
  if (at('active.connected.ice.reconnecting')) events.push(ice('connected'));
  if (at('active.connecting.checking') || connected) events.push({ type: 'pc.track' });
  if (at('active.connected.negotiation.stable')) events.push({ type: 'pc.negotiationNeeded' });
  for (const node of snapshot._nodes) {
    for (const delayed of node.after) events.push({ type: delayed.eventType });
    for (const invoked of node.invoke) {
      if (typeof invoked.src === 'string') events.push(...outcomes(invoked.src, invoked.id, node.id));
    }
  }
  return events;
}

/** A short, stable name for an event: what tells two events of one type apart, and nothing else. */
export function describeEvent(event: AnyEventObject): string {
  if (event.type.startsWith('remote.')) {
    const e = event.envelope as Envelope;
    const detail = [
      e.callId,
      `from ${e.from}`,
      'reason' in e ? e.reason : '',
      'selectedDevice' in e ? `selected ${e.selectedDevice}` : '',
      'description' in e ? e.description.type : '',
    ];
    return `${event.type}(${detail.filter(Boolean).join(' ')})`;
  }
  if (event.type === 'pc.iceState') return `pc.iceState(${event.state})`;
  if (event.type.startsWith('xstate.done.actor.'))
    return `${event.type}${event.iceUp ? '(ICE already up)' : ''}`;
  if (event.type.startsWith('xstate.error.actor.')) return `${event.type}(${(event.error as Error).name})`;
  return event.type;
}

/** Runs one model step (no custom action or actor runs) and reports every transition it took, by key. */
export function modelStep(
  snapshot: CallSnapshot,
  event: AnyEventObject,
): { next: CallSnapshot; taken: string[] } {
  const empty = createEmptyActor();
  const taken: string[] = [];
  const subscription = empty.system.inspect((inspection) => {
    if (inspection.type === '@xstate.microstep') taken.push(...inspection._transitions.map(transitionKey));
  });
  // What @xstate/graph's traversal hands to `transition` too: an actor scope whose effects go nowhere.
  const scope = {
    self: empty,
    logger: () => {},
    id: '',
    sessionId: 'model',
    defer: () => {},
    system: empty.system,
    stopChild: () => {},
    emit: () => {},
    actionExecutor: () => {},
  } as unknown as Parameters<typeof modelMachine.transition>[2];
  const next = modelMachine.transition(snapshot, event as never, scope);
  subscription.unsubscribe();
  return { next, taken };
}
