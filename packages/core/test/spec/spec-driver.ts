// Makes each event of the specification happen to the real call machine — remote messages as encoded
// envelopes through the protocol's decoder, ICE and tracks from the fake peer connection, the operation the
// call waits on settled by the test, timers fired on a clock the test moves — and reads back what the
// machine did: its state, the messages it handed its `send` port, its end reason, its pending timers, and
// which of its transitions it took (inspection events, `getTransitionData`, `getStateNodes`: public API).
import { type Actor, type AnyEventObject, createActor, getStateNodes, type StateValue } from 'xstate';
import { HandsetError } from '../../src/errors.js';
import {
  createEnvelope,
  decodeEnvelope,
  type Envelope,
  type EnvelopeDraft,
  encodeEnvelope,
  validateEnvelope,
} from '../../src/protocol.js';
import {
  createFakeMedia,
  createFakePeerConnections,
  type FakePeerConnection,
} from '../../src/testing/index.js';
import { ChosenTimerClock } from '../support/chosen-timer-clock.js';
import { transitionKey } from '../support/machine-transitions.js';
import { PromiseActorControl } from '../support/promise-actor-control.js';
import {
  type CallPorts,
  type CallTimeouts,
  callMachine,
  DEFAULT_TIMEOUTS,
  RemoteDescriptionError,
} from './machine-under-test.js';
import {
  CALL_IDS,
  MAX_ICE_RESTARTS,
  ME,
  MY_DEVICE,
  MY_OTHER_DEVICE,
  PEER,
  PEER_DEVICE,
  PEER_OTHER_DEVICE,
  type SpecEvent,
  STRANGER,
  STRANGER_DEVICE,
  type TimerName,
  type World,
} from './spec-world.js';

/** Distinct durations, so a pending timer's duration names the wait it bounds. */
const KNOWN_TIMEOUTS = {
  inviteMs: 30_000,
  connectMs: 20_000,
  iceDisconnectGraceMs: 2_000,
  iceRestartMs: 10_000,
  candidateBatchMs: 20,
};
/** Timeouts the machine has and the specification does not name yet get durations of their own too. */
export const TIMEOUTS = Object.fromEntries(
  Object.keys(DEFAULT_TIMEOUTS).map((key, i) => [
    key,
    KNOWN_TIMEOUTS[key as keyof typeof KNOWN_TIMEOUTS] ?? 90_000 + i,
  ]),
) as unknown as CallTimeouts;
export const INVITE_LIFETIME_MS = 45_000;

const TIMER_MS: Record<TimerName, number> = {
  invite: KNOWN_TIMEOUTS.inviteMs,
  inviteLifetime: INVITE_LIFETIME_MS,
  connect: KNOWN_TIMEOUTS.connectMs,
  iceGrace: KNOWN_TIMEOUTS.iceDisconnectGraceMs,
  iceRestart: KNOWN_TIMEOUTS.iceRestartMs,
  candidateBatch: KNOWN_TIMEOUTS.candidateBatchMs,
};
const TIMER_NAME = new Map(Object.entries(TIMER_MS).map(([name, ms]) => [ms, name]));
export const timerName = (delayMs: number) => TIMER_NAME.get(delayMs) ?? `${delayMs} ms`;

/** The operation the call waits on in each place, by the name the machine gives its actor. */
function runningOperation(w: World): string {
  if (w.at === 'active.acquiringMedia' || w.at === 'active.answering.acquiringMedia') return 'acquireMedia';
  if (w.at === 'active.outgoing.dialing.creatingOffer') return 'createOffer';
  if (w.at === 'active.answering.creatingAnswer') return 'createAnswer';
  if (w.at === 'active.connecting.applyingAnswer') return 'applyRemoteAnswer';
  if (w.negotiation === 'offering') return 'createRenegotiationOffer';
  if (w.negotiation === 'applyingAnswer') return 'applyRemoteAnswer';
  if (w.negotiation === 'answering') return 'answerRenegotiation';
  throw new Error(`no operation runs in ${w.at}`);
}
const OPERATIONS = [
  'acquireMedia',
  'createOffer',
  'createAnswer',
  'applyRemoteAnswer',
  'createRenegotiationOffer',
  'answerRenegotiation',
];

export const sdp = (what: string) => `v=0\r\no=${what} 1 1 IN IP4 127.0.0.1\r\ns=-\r\n`;

const OUTPUTS: Record<string, (input: unknown) => unknown> = {
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

function namedError(name: string): Error {
  const error = new Error(`stand-in: ${name}`);
  error.name = name;
  return error;
}

const CANDIDATE = {
  candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 40000 typ host',
  sdpMid: '0',
  sdpMLineIndex: 0,
  usernameFragment: null,
};

/** Lets queued promise jobs run: settled actors report back, the watcher's events arrive. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A message in the rows' notation: type, reason or description, then addressee and call id when not the call's. */
export function messageOf(e: Envelope, callId: string | null): string {
  let text: string = e.type;
  if (e.type === 'reject' || e.type === 'hangup') text += `:${e.reason}`;
  if (e.type === 'negotiate') text += `:${e.description.type}${e.iceRestart ? '+restart' : ''}`;
  if (e.type === 'candidates' && e.end) text += '(end)';
  if (e.to !== PEER) text += ` to ${e.to}`;
  if (e.callId !== callId) text += ` @${e.callId}`;
  return text;
}

/** The machine's state value the specification expects for a world. */
export function expectedValue(w: World): StateValue {
  if (w.at === 'active.connected')
    return { active: { connected: { ice: w.ice!, negotiation: w.negotiation! } } };
  const keys = w.at.split('.');
  let value: StateValue = keys.at(-1)!;
  for (let i = keys.length - 2; i >= 0; i--) value = { [keys[i]!]: value };
  return value;
}

type CallActor = Actor<typeof callMachine>;

/** One real call, with everything the specification's checks look at kept at hand. */
export class CallRig {
  readonly clock = new ChosenTimerClock();
  readonly operations = new PromiseActorControl();
  readonly media = createFakeMedia();
  readonly pcs = createFakePeerConnections({ autoConnect: false, candidates: 0 });
  readonly sent: Envelope[] = [];
  readonly machine = callMachine.provide({
    actors: Object.fromEntries(OPERATIONS.map((src) => [src, this.operations.actor(src)])) as never,
  });
  readonly actor: CallActor;
  private lastSnapshot: ReturnType<CallActor['getSnapshot']>;
  private lastEvent: AnyEventObject | undefined;

  /** `onTransition` hears the key of every machine transition the call takes. */
  constructor(private readonly onTransition: (key: string) => void) {
    const ports: CallPorts = {
      send: (draft) => {
        const checked = validateEnvelope(createEnvelope(draft, `sent-${this.sent.length + 1}`));
        if (!checked.ok) throw checked.error;
        this.sent.push(checked.envelope);
      },
      createPeerConnection: () => this.pcs.factory({ iceServers: [] }),
      getUserMedia: this.media.getUserMedia,
      reportError: () => {},
      candidateRejected: (cause) => new HandsetError('candidate-rejected', 'refused', { cause }),
    };
    this.actor = createActor(this.machine, {
      clock: this.clock,
      input: {
        settings: { userId: ME, deviceId: MY_DEVICE, timeouts: TIMEOUTS, maxIceRestarts: MAX_ICE_RESTARTS },
        ports,
      },
      inspect: (inspection) => {
        if (inspection.type === '@xstate.microstep' && inspection.actorRef === this.actor) {
          this.observe(inspection.event, inspection.snapshot as ReturnType<CallActor['getSnapshot']>);
        }
      },
    });
    this.lastSnapshot = this.actor.getSnapshot();
    this.actor.start();
  }

  /** The call's current peer connection (a call that adopts a crossing invite keeps its connection). */
  get pc(): FakePeerConnection {
    const pc = this.pcs.created.at(-1);
    if (!pc) throw new Error('no peer connection was created');
    return pc;
  }

  /**
   * Which transitions one microstep took: those the event selects in the state before (the machine's own
   * `getTransitionData`), or, for a microstep on the same event (eventless), the `always` branch whose
   * targets the call now stands in.
   */
  private observe(event: AnyEventObject, next: ReturnType<CallActor['getSnapshot']>): void {
    const before = this.lastSnapshot;
    if (event !== this.lastEvent) {
      for (const transition of this.machine.getTransitionData(before, event as never)) {
        this.onTransition(transitionKey(transition));
      }
    } else {
      const now = new Set(getStateNodes(this.machine.root, next.value).map((node) => node.id));
      for (const node of new Set(getStateNodes(this.machine.root, before.value))) {
        const branch = (node.always ?? []).find((t) =>
          (t.target ?? []).every((target) => now.has(target.id)),
        );
        if (branch) this.onTransition(transitionKey(branch));
      }
    }
    this.lastEvent = event;
    this.lastSnapshot = next;
  }

  /** Makes `event` happen to the call as the world would; `w` is where the specification says the call is. */
  async perform(event: SpecEvent, w: World): Promise<void> {
    if (event === 'user.call') {
      this.actor.send({
        type: 'user.call',
        callId: CALL_IDS.ours,
        peerId: PEER,
        media: { audio: true, video: true },
      });
    } else if (event.startsWith('user.')) {
      this.actor.send({ type: event } as never);
    } else if (event.startsWith('remote.')) {
      const decoded = decodeEnvelope(
        encodeEnvelope(createEnvelope(remoteMessage(event, w), `in-${this.sent.length}`)),
      );
      if (!decoded.ok) throw decoded.error;
      this.actor.send({ type: 'signal', envelope: decoded.envelope });
    } else if (event.startsWith('pc.ice(')) {
      this.pc.setIceState(event.slice('pc.ice('.length, -1));
    } else if (event === 'pc.track') {
      this.pc.receiveTrack('audio');
    } else if (event === 'pc.negotiationNeeded') {
      this.pc.needNegotiation();
    } else if (event === 'pc.candidate' || event === 'pc.candidatesEnd') {
      // The fake connection gathers only inside setLocalDescription, which the stand-in operations skip:
      // the signal goes in as the machine's peer-connection watcher would send it.
      this.actor.send(
        (event === 'pc.candidate' ? { type: event, candidate: CANDIDATE } : { type: event }) as never,
      );
    } else if (event.startsWith('timer.')) {
      this.clock.fire(TIMER_MS[event.slice('timer.'.length) as TimerName]);
    } else {
      await this.settleOperation(event, runningOperation(w));
    }
    await settle();
    await settle();
  }

  private async settleOperation(event: SpecEvent, src: string): Promise<void> {
    if (event === 'op.ok(ICE already up)') {
      this.pc.setIceState('checking');
      this.pc.setIceState('connected');
    }
    if (event === 'op.ok' || event === 'op.ok(ICE already up)') {
      const output =
        src === 'acquireMedia'
          ? (input: unknown) =>
              this.media.getUserMedia((input as { media: { audio: boolean; video: boolean } }).media)
          : OUTPUTS[src]!;
      await this.operations.resolve(src, output);
    } else if (event === 'op.denied') {
      this.operations.reject(src, namedError('NotAllowedError'));
    } else if (event === 'op.refused') {
      this.operations.reject(src, new RemoteDescriptionError('remote description was refused'));
    } else if (event === 'op.failed') {
      this.operations.reject(src, src === 'acquireMedia' ? namedError('NotFoundError') : new Error('failed'));
    } else {
      throw new Error(`the driver does not know how to make ${event} happen`);
    }
  }

  isRunning(src: string): boolean {
    return this.operations.isRunning(src);
  }

  get operationNames(): readonly string[] {
    return OPERATIONS;
  }
}

/** The message the peer (or a stranger, or the transport) sends for a remote event. */
function remoteMessage(event: SpecEvent, w: World): EnvelopeDraft {
  const invite = (
    callId: string,
    from: string,
    fromDevice: string,
    lifetimeMs = INVITE_LIFETIME_MS,
    ageMs = 0,
  ) =>
    ({
      type: 'invite',
      callId,
      from,
      fromDevice,
      to: ME,
      sdp: sdp(`${from} offer`),
      media: { audio: true, video: true },
      lifetimeMs,
      ...(ageMs ? { ageMs } : {}),
    }) as EnvelopeDraft;
  const fromPeer = (body: object, fromDevice = PEER_DEVICE, toDevice: string | null = MY_DEVICE) =>
    ({
      callId: w.callId!,
      from: PEER,
      fromDevice,
      to: ME,
      ...(toDevice ? { toDevice } : {}),
      ...body,
    }) as EnvelopeDraft;
  const negotiate = (type: 'offer' | 'answer') => ({
    type: 'negotiate',
    description: { type, sdp: sdp(`bob ${type} 2`) },
    iceRestart: false,
  });
  switch (event) {
    case 'remote.invite(peer)':
      return invite(CALL_IDS.theirs, PEER, PEER_DEVICE);
    case 'remote.invite(stale)':
      return invite(CALL_IDS.theirs, PEER, PEER_DEVICE, 1_000, 1_000);
    case 'remote.invite(peer, lesser id)':
      return invite(CALL_IDS.lesser, PEER, PEER_DEVICE);
    case 'remote.invite(peer, greater id)':
      return invite(CALL_IDS.greater, PEER, PEER_DEVICE);
    case 'remote.invite(stranger)':
      return invite(CALL_IDS.stranger, STRANGER, STRANGER_DEVICE);
    case 'remote.invite(again)':
      return invite(w.callId!, PEER, PEER_DEVICE);
    case 'remote.ringing':
      return fromPeer({ type: 'ringing' });
    case 'remote.answer':
      return fromPeer({ type: 'answer', sdp: sdp('bob answer') });
    case 'remote.answer(other device)':
      return fromPeer({ type: 'answer', sdp: sdp('bob answer') }, PEER_OTHER_DEVICE);
    case 'remote.reject(declined)':
      return fromPeer({ type: 'reject', reason: 'declined' });
    case 'remote.reject(busy)':
      return fromPeer({ type: 'reject', reason: 'busy' });
    case 'remote.unavailable':
      return fromPeer({ type: 'unavailable' }, 'server');
    case 'remote.cancel':
      return fromPeer({ type: 'cancel' }, PEER_DEVICE, null);
    case 'remote.answerSelected(other device)':
      return fromPeer({ type: 'answer-selected', selectedDevice: MY_OTHER_DEVICE }, PEER_DEVICE, null);
    case 'remote.answerSelected(this device)':
      return fromPeer({ type: 'answer-selected', selectedDevice: MY_DEVICE }, PEER_DEVICE, null);
    case 'remote.candidates':
      return fromPeer({ type: 'candidates', candidates: [CANDIDATE], end: false });
    case 'remote.negotiate(offer)':
      return fromPeer(negotiate('offer'));
    case 'remote.negotiate(answer)':
      return fromPeer(negotiate('answer'));
    default: {
      const reason = /^remote\.hangup\((.+)\)$/.exec(event)?.[1];
      if (reason) return fromPeer({ type: 'hangup', reason });
      throw new Error(`the driver does not know the message for ${event}`);
    }
  }
}
