// Model-based test of the call statechart: XState's test model generates paths that together take every
// transition of the machine, and each path drives the real machine — real watcher on a fake peer
// connection, protocol envelopes through the machine's own routing, promise actors the test settles,
// timers the test fires — checking after every step that the real call is where the model is and that
// what must hold there holds.
import type { StatePath } from '@xstate/graph';
import { describe, expect, it } from 'vitest';
import { type Actor, type AnyEventObject, createActor } from 'xstate';
import {
  type CallPorts,
  callMachine,
  createEnvelope,
  decodeEnvelope,
  type EndReason,
  type Envelope,
  encodeEnvelope,
  HandsetError,
  routeEnvelope,
  validateEnvelope,
} from '../src/index.js';
import { createFakeMedia, createFakePeerConnections, type FakePeerConnection } from '../src/testing/index.js';
import {
  abstractOf,
  type CallSnapshot,
  DELAY_MS,
  describeEvent,
  INVITE_LIFETIME_MS,
  ME,
  MY_DEVICE,
  modelStep,
  OUR_CALL,
  PEER,
  STRANGER,
  STRANGER_DEVICE,
  sdp,
  settings,
  TIMEOUTS,
} from './support/call-model.js';
import { ChosenTimerClock } from './support/chosen-timer-clock.js';
import { allTransitionKeys, transitionKey } from './support/machine-transitions.js';
import { createCallTestModel, type ModelPath, transitionCoveringPaths } from './support/model-paths.js';
import { PromiseActorControl } from './support/promise-actor-control.js';

/** Lets queued promise jobs run: settled actors report back, the watcher's events arrive. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Which actor each invoke runs, and every event type the machine handles, read from the machine. */
const invokedSrc = new Map<string, string>();
const handledEventTypes = new Set<string>(['xstate.init']);
(function collect(node: typeof callMachine.root) {
  for (const invoked of node.invoke)
    if (typeof invoked.src === 'string') invokedSrc.set(invoked.id, invoked.src);
  for (const type of node.transitions.keys()) handledEventTypes.add(type);
  for (const child of Object.values(node.states)) collect(child);
})(callMachine.root);

const allTransitions = allTransitionKeys(callMachine);
const taken = new Set<string>();

/** One real call: the machine with controllable actors, a fake peer connection and media, a chosen-timer clock. */
class CallRig {
  readonly clock = new ChosenTimerClock();
  readonly actors = new PromiseActorControl();
  readonly media = createFakeMedia();
  readonly pcs = createFakePeerConnections({ autoConnect: false, candidates: 0 });
  readonly sent: Envelope[] = [];
  readonly warnings: HandsetError[] = [];
  /** Where `sent` stood when the current step began. */
  stepStart = 0;
  private current: Actor<typeof callMachine> | undefined;

  get actor(): Actor<typeof callMachine> {
    if (!this.current) throw new Error('the call has not started');
    return this.current;
  }

  get snapshot(): CallSnapshot {
    return this.actor.getSnapshot();
  }

  /** The call's current peer connection (a call that adopts a crossing invite starts over with a new one). */
  get pc(): FakePeerConnection {
    const pc = this.pcs.created.at(-1);
    if (!pc) throw new Error('no peer connection was created');
    return pc;
  }

  start(): void {
    const control = this.actors;
    const machine = callMachine.provide({
      actors: {
        acquireMedia: control.actor('acquireMedia'),
        createOffer: control.actor('createOffer'),
        createAnswer: control.actor('createAnswer'),
        applyRemoteAnswer: control.actor('applyRemoteAnswer'),
        createRenegotiationOffer: control.actor('createRenegotiationOffer'),
        answerRenegotiation: control.actor('answerRenegotiation'),
      },
    });
    const ports: CallPorts = {
      send: (draft) => {
        const checked = validateEnvelope(createEnvelope(draft, `sent-${this.sent.length + 1}`));
        if (!checked.ok) throw checked.error;
        this.sent.push(checked.envelope);
      },
      createPeerConnection: () => this.pcs.factory({ iceServers: [] }),
      getUserMedia: this.media.getUserMedia,
      reportError: (error) => this.warnings.push(error),
      candidateRejected: (cause) => new HandsetError('candidate-rejected', 'refused', { cause }),
    };
    this.current = createActor(machine, {
      clock: this.clock,
      input: { settings, ports },
      inspect: (inspection) => {
        if (inspection.type === '@xstate.microstep') {
          for (const transition of inspection._transitions) taken.add(transitionKey(transition));
        }
      },
    });
    this.current.start();
  }

  sentInStep(): Envelope[] {
    return this.sent.slice(this.stepStart).filter((e) => e.type !== 'candidates');
  }
}

const sdpOutputs: Record<string, (input: unknown) => unknown> = {
  createOffer: () => ({ type: 'offer', sdp: sdp('alice offer') }),
  createAnswer: () => ({ type: 'answer', sdp: sdp('alice answer') }),
  applyRemoteAnswer: () => undefined,
  createRenegotiationOffer: (input) => ({
    description: { type: 'offer', sdp: sdp('alice offer 2') },
    iceRestart: (input as { iceRestart: boolean }).iceRestart,
  }),
  answerRenegotiation: () => ({
    description: { type: 'answer', sdp: sdp('alice answer 2') },
    iceRestart: false,
  }),
};

/** Makes `event` happen to the real call the way the world would make it happen. */
async function perform(rig: CallRig, event: AnyEventObject): Promise<void> {
  rig.stepStart = rig.sent.length;
  const type = event.type;
  if (type === 'xstate.init') {
    rig.start();
  } else if (type.startsWith('user.')) {
    rig.actor.send(event as never);
  } else if (type.startsWith('remote.')) {
    await deliver(rig, event);
  } else if (type === 'pc.iceState') {
    rig.pc.setIceState(event.state as string);
  } else if (type === 'pc.track') {
    rig.pc.receiveTrack('audio');
  } else if (type === 'pc.negotiationNeeded') {
    rig.pc.needNegotiation();
  } else if (type === 'pc.candidate' || type === 'pc.candidatesEnd') {
    // The fake peer connection gathers only inside setLocalDescription, which the stand-in actors skip:
    // the event goes in as the machine's peer-connection watcher would send it.
    rig.actor.send(event as never);
  } else if (type === 'candidates.flush') {
    rig.clock.fire(TIMEOUTS.candidateBatchMs);
  } else if (type.startsWith('xstate.after.')) {
    const delay = /^xstate\.after\.([^.]+)\./.exec(type)?.[1] ?? '';
    rig.clock.fire(DELAY_MS[delay] ?? Number.NaN);
  } else if (type.startsWith('xstate.done.actor.')) {
    const src = invokedSrc.get(type.slice('xstate.done.actor.'.length)) ?? '';
    if (event.iceUp) {
      // ICE connects while the answer is still being applied; the machine sees it when it gets there.
      rig.pc.setIceState('checking');
      rig.pc.setIceState('connected');
    }
    if (src === 'acquireMedia') {
      await rig.actors.resolve(src, (input) =>
        rig.media.getUserMedia((input as { media: { audio: boolean; video: boolean } }).media),
      );
    } else {
      await rig.actors.resolve(src, sdpOutputs[src] ?? (() => undefined));
    }
  } else if (type.startsWith('xstate.error.actor.')) {
    rig.actors.reject(invokedSrc.get(type.slice('xstate.error.actor.'.length)) ?? '', event.error);
  } else {
    throw new Error(`the test does not know how to make ${type} happen`);
  }
  await settle();
}

/** A remote event arrives as the transport would deliver it: an encoded frame, validated, then routed. */
async function deliver(rig: CallRig, event: AnyEventObject): Promise<void> {
  const decoded = decodeEnvelope(encodeEnvelope(event.envelope as Envelope));
  if (!decoded.ok) throw decoded.error;
  const before = rig.snapshot;
  const c = before.context;
  const routed = routeEnvelope(
    { deviceId: MY_DEVICE, callId: c.callId, peerId: c.peerId, peerDevice: c.peerDevice },
    decoded.envelope,
  );
  expect(routed?.type, 'the model only sends what routing hands to this call').toBe(event.type);
  rig.actor.send({ type: 'signal', envelope: decoded.envelope });
  await settle();
  if (decoded.envelope.type !== 'invite' || !before.matches('active')) return;
  const invite = decoded.envelope;
  const after = rig.snapshot;
  if (invite.from === STRANGER) {
    // Busy: the stranger hears `busy` on its own call id; our call does not notice.
    expect(abstractOf(after)).toEqual(abstractOf(before));
    expect(rig.pc.closed).toBe(false);
    expect(rig.sentInStep()).toMatchObject([
      { type: 'reject', reason: 'busy', callId: invite.callId, to: STRANGER, toDevice: STRANGER_DEVICE },
    ]);
  } else if (before.context.callId !== invite.callId) {
    // Glare: of the two crossing invites, the call is the one with the lesser id.
    const weLose = invite.callId < before.context.callId!;
    expect(after.context.callId).toBe(weLose ? invite.callId : before.context.callId);
    // The loser cancels its own invite (the peer's other devices may be ringing for it); the winner says nothing.
    expect(rig.sentInStep().map((e) => `${e.type}:${e.callId}`)).toEqual(
      weLose ? [`cancel:${before.context.callId}`] : [],
    );
  }
}

const messageOf = (e: Envelope) =>
  e.type === 'hangup' || e.type === 'reject' ? `${e.type}:${e.reason}` : e.type;

/** What the peer must hear in the step that ends the call, by reason. */
function finalMessages(reason: EndReason, rig: CallRig): string[] {
  const c = rig.snapshot.context;
  const inviteSent = rig.sent.some((e) => e.type === 'invite' && e.callId === c.callId);
  if (reason.by === 'remote') {
    if (reason.code === 'protocol-error') return ['hangup:protocol-error'];
    // Declined or busy on one device: the caller's other ringing devices must stop.
    if (reason.code === 'busy' || reason.code === 'declined') return ['cancel'];
    return [];
  }
  switch (reason.code) {
    case 'hangup':
      return ['hangup:normal'];
    case 'cancelled':
      return inviteSent ? ['cancel'] : [];
    case 'declined':
      return ['reject:declined'];
    case 'no-answer':
      return ['cancel'];
    case 'connection-failed':
      return ['hangup:connection-failed'];
    case 'negotiation-failed':
      return c.direction === 'outgoing' && !inviteSent ? [] : ['hangup:negotiation-failed'];
    case 'media-denied':
    case 'media-failed':
      return c.direction === 'incoming' ? ['hangup:media-failed'] : [];
    default:
      return [`unexpected local end ${reason.code}`];
  }
}

/** After every step: the real call is where the model is, and what must hold there holds. */
function check(rig: CallRig, expected: CallSnapshot): void {
  const real = rig.snapshot;
  expect(abstractOf(real)).toEqual(abstractOf(expected));
  const c = real.context;
  const pending = rig.clock.pending().map((timer) => timer.delayMs);
  expect(new Set(pending).size, `one timer per delay at most (pending: ${pending.join(', ')})`).toBe(
    pending.length,
  );
  for (const message of rig.sent) {
    expect(message).toMatchObject({ from: ME, fromDevice: MY_DEVICE });
  }
  if (real.matches('idle')) {
    expect(rig.pcs.created).toHaveLength(0);
    expect(rig.sent).toEqual([]);
    return;
  }
  expect(rig.snapshot.context.pc).toBe(rig.pc);
  for (const replaced of rig.pcs.created.slice(0, -1)) {
    expect(replaced.closed && replaced.listenerCount === 0, 'a replaced peer connection is closed').toBe(
      true,
    );
  }
  const ofThisCall = rig.sent.filter((e) => e.callId === c.callId && e.to === PEER);
  if (real.matches('ended')) {
    expect(real.status).toBe('done');
    expect(real.output).toEqual(c.endReason);
    expect(c.endReason).not.toBeNull();
    expect(rig.pc.closed, 'peer connection closed').toBe(true);
    expect(rig.pc.listenerCount, 'watcher listeners removed').toBe(0);
    const tracks = rig.media.streams.flatMap((stream) => stream.tracks);
    expect(
      tracks.filter((track) => !track.stopped),
      'every local track stopped',
    ).toEqual([]);
    expect(rig.clock.pending(), 'no timer left').toEqual([]);
    for (const src of invokedSrc.values()) expect(rig.actors.isRunning(src), `${src} stopped`).toBe(false);
    const final = rig.sentInStep();
    expect(final.map(messageOf)).toEqual(finalMessages(c.endReason!, rig));
    for (const message of final) expect(message).toMatchObject({ callId: c.callId, to: PEER });
    return;
  }
  expect(rig.pc.closed).toBe(false);
  expect(rig.pc.listenerCount, 'the watcher listens while the call lasts').toBe(4);
  if (real.matches({ active: 'outgoing' })) expect(pending).toContain(TIMEOUTS.inviteMs);
  if (
    real.matches({ active: { outgoing: { dialing: 'inviting' } } }) ||
    real.matches({ active: { outgoing: 'ringing' } })
  ) {
    expect(ofThisCall.filter((e) => e.type === 'invite')).toMatchObject([
      { callId: OUR_CALL, lifetimeMs: TIMEOUTS.inviteMs, media: c.media },
    ]);
  }
  if (real.matches({ active: 'incoming' })) {
    expect(pending).toContain(INVITE_LIFETIME_MS);
    expect(ofThisCall.filter((e) => e.type === 'ringing')).toMatchObject([{ toDevice: c.peerDevice }]);
  }
  if (real.matches({ active: 'connecting' })) expect(pending).toContain(TIMEOUTS.connectMs);
  if (real.matches({ active: 'connecting' }) && c.direction === 'outgoing') {
    expect(ofThisCall.filter((e) => e.type === 'answer-selected')).toMatchObject([
      { selectedDevice: c.peerDevice },
    ]);
  }
  if (real.matches({ active: { connecting: 'checking' } }) && c.direction === 'incoming') {
    expect(ofThisCall.filter((e) => e.type === 'answer')).toHaveLength(1);
  }
  if (real.matches({ active: { connected: { ice: 'interrupted' } } })) {
    expect(pending).toContain(TIMEOUTS.iceDisconnectGraceMs);
  }
  if (real.matches({ active: { connected: { ice: 'reconnecting' } } })) {
    expect(pending).toContain(TIMEOUTS.iceRestartMs);
  }
}

function nameOf(path: ModelPath): string {
  return path.steps
    .slice(1)
    .map((step) => describeEvent(step.event))
    .join(' → ');
}

/** A path the model computes from a given sequence of events (for races the transition cover does not need). */
function scenario(events: AnyEventObject[]): ModelPath {
  let state = model.getShortestPaths({ toState: (snapshot) => snapshot.matches('idle') })[0]!.state;
  const steps: ModelPath['steps'] = [{ state, event: { type: 'xstate.init' } }];
  for (const event of events) {
    const step = modelStep(state, event);
    expect(
      step.taken.length,
      `${describeEvent(event)} does something in ${JSON.stringify(state.value)}`,
    ).toBeGreaterThan(0);
    state = step.next;
    steps.push({ state, event });
  }
  return { state, steps, weight: events.length };
}

async function drive(path: ModelPath): Promise<void> {
  const rig = new CallRig();
  const result = await model.testPath(path as StatePath<CallSnapshot, AnyEventObject>, {
    events: Object.fromEntries(
      [...handledEventTypes].map((type) => [
        type,
        (step: { event: AnyEventObject }) => perform(rig, step.event),
      ]),
    ),
    states: { '*': (state) => check(rig, state) },
  });
  expect(result.steps).toHaveLength(path.steps.length);
  rig.actor.stop();
}

const model = createCallTestModel();
const paths = [
  ...new Map(transitionCoveringPaths(model).map((path) => [nameOf(path), path] as const)).values(),
];

describe('call machine, model-based', () => {
  for (const path of paths) {
    it(nameOf(path), () => drive(path));
  }

  it('a candidate gathered after the invite went out, while the first batch window is still open, opens no second timer', () => {
    const candidate = {
      type: 'pc.candidate',
      candidate: {
        candidate: 'candidate:9 1 udp 1 127.0.0.1 40001 typ host',
        sdpMid: '0',
        sdpMLineIndex: 0,
        usernameFragment: null,
      },
    };
    return drive(
      scenario([
        { type: 'user.call', callId: OUR_CALL, peerId: PEER, media: { audio: true, video: true } },
        { type: 'xstate.done.actor.0.call.active.acquiringMedia', output: { getTracks: () => [] } },
        candidate,
        {
          type: 'xstate.done.actor.0.call.active.outgoing.dialing.creatingOffer',
          output: { type: 'offer', sdp: sdp('alice offer') },
        },
        candidate,
        { type: 'candidates.flush' },
        { type: 'user.hangup' },
      ]),
    );
  });

  it('the paths together take every transition of the machine', () => {
    const missing = allTransitions.filter((key) => !taken.has(key));
    console.log(
      `transitions covered: ${allTransitions.length - missing.length}/${allTransitions.length} (${paths.length} model paths)`,
    );
    expect(missing).toEqual([]);
  });
});
