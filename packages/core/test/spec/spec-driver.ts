// Makes each event of the specification happen to the real call machine — remote messages as encoded
// envelopes through the protocol's decoder, ICE and tracks from the fake peer connection, the operation the
// call waits on settled by the test, timers fired on a clock the test moves — and reads back what the
// machine did: its state, the messages it handed its `send` port, its end reason, its pending timers, and
// which of its transitions it took (inspection events, `getTransitionData`, `getStateNodes`: public API).
import { type Actor, type AnyEventObject, createActor, getStateNodes } from 'xstate';
import { HandsetError } from '../../src/errors.js';
import {
  createEnvelope,
  decodeEnvelope,
  type Envelope,
  type EnvelopeDraft,
  encodeEnvelope,
  PROTOCOL_LIMITS,
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
import { CONTROL_OPERATIONS, ControlDriver, type ControlTarget } from './spec-driver-controls.js';
import { CANDIDATE, INVITE_LIFETIME_MS, manyCandidates, remoteMessage, sdp } from './spec-messages.js';
import {
  CALL_IDS,
  isInCallEvent,
  MAX_ICE_RESTARTS,
  ME,
  MY_DEVICE,
  PEER,
  REMOTE_CANDIDATE_BUFFER,
  type SpecEvent,
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
  signalingWaitMs: 7_000,
  renegotiationMs: 15_000,
  answerMediaMs: 25_000,
  busyReplyIntervalMs: 5_000,
  statsIntervalMs: 3_000,
  peerIceRestartWaitMs: 1_500,
};
/** Timeouts the machine has and the specification does not name yet get durations of their own too. */
export const TIMEOUTS = Object.fromEntries(
  Object.keys(DEFAULT_TIMEOUTS).map((key, i) => [
    key,
    KNOWN_TIMEOUTS[key as keyof typeof KNOWN_TIMEOUTS] ?? 90_000 + i,
  ]),
) as unknown as CallTimeouts;

const TIMER_MS: Record<TimerName, number> = {
  invite: KNOWN_TIMEOUTS.inviteMs,
  inviteLifetime: INVITE_LIFETIME_MS,
  connect: KNOWN_TIMEOUTS.connectMs,
  iceGrace: KNOWN_TIMEOUTS.iceDisconnectGraceMs,
  iceRestart: KNOWN_TIMEOUTS.iceRestartMs,
  candidateBatch: KNOWN_TIMEOUTS.candidateBatchMs,
  signalingWait: KNOWN_TIMEOUTS.signalingWaitMs,
  answerMedia: KNOWN_TIMEOUTS.answerMediaMs,
  renegotiation: KNOWN_TIMEOUTS.renegotiationMs,
  busyWindow: KNOWN_TIMEOUTS.busyReplyIntervalMs,
  stats: KNOWN_TIMEOUTS.statsIntervalMs,
  peerIceRestart: KNOWN_TIMEOUTS.peerIceRestartWaitMs,
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
  ...CONTROL_OPERATIONS,
];

/** What each stand-in operation yields; the two that apply the peer's description set it on the connection. */
const OUTPUTS: Record<string, (input: unknown, pc: FakePeerConnection) => unknown> = {
  createOffer: () => ({ type: 'offer', sdp: sdp('alice offer') }),
  createAnswer: async (_, pc) => {
    await pc.setRemoteDescription({ type: 'offer', sdp: sdp('bob offer') });
    return { type: 'answer', sdp: sdp('alice answer') };
  },
  applyRemoteAnswer: async (_, pc) => {
    if (!pc.remoteDescription) await pc.setRemoteDescription({ type: 'answer', sdp: sdp('bob answer') });
  },
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

const STATS_REPORT = [
  { id: 'in-audio', type: 'inbound-rtp', kind: 'audio', timestamp: 1, packetsReceived: 50, packetsLost: 0 },
];

/** Lets queued promise jobs run: settled actors report back, the watcher's events arrive. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

type CallActor = Actor<typeof callMachine>;

/** One real call, with everything the specification's checks look at kept at hand. */
export class CallRig {
  readonly clock = new ChosenTimerClock();
  readonly operations = new PromiseActorControl();
  readonly media = createFakeMedia();
  /** Connections with a (small) stats report, so a connected call samples as on a real platform. */
  readonly pcs = createFakePeerConnections({ autoConnect: false, candidates: 0, stats: STATS_REPORT });
  /** What the call emitted to the app, in order. */
  readonly emitted: string[] = [];
  /** The next peer connection the call asks for cannot be made (the factory throws, as a browser's may). */
  private refuseNextPeerConnection = false;
  /** The send port throws from now on. */
  private sendThrows = false;
  readonly sent: Envelope[] = [];
  /** Messages the call tried to send that the protocol's validator refused. */
  readonly invalid: unknown[] = [];
  /** Ports that threw, as the call reported them. */
  readonly portFailures: string[] = [];
  /** Problems the call reported without ending (a remote candidate the connection refused...). */
  readonly warnings: HandsetError[] = [];
  /** Remote candidates delivered in the current step. */
  remoteCandidatesDelivered = 0;
  readonly machine = callMachine.provide({
    actors: Object.fromEntries(OPERATIONS.map((src) => [src, this.operations.actor(src)])) as never,
  });
  readonly actor: CallActor;
  private lastSnapshot: ReturnType<CallActor['getSnapshot']>;
  private readonly controls = new ControlDriver();
  /** What the controls' driver reaches of this rig. */
  private readonly controlTarget: ControlTarget = {
    send: (event) => this.actor.send(event as never),
    deliver: (draft) => this.deliver(draft),
    pc: () => this.pc,
    media: this.media,
    resolve: (src, output) => this.operations.resolve(src, output),
    reject: (src, error) => this.operations.reject(src, error),
  };
  private lastEvent: AnyEventObject | undefined;

  /** `onTransition` hears the key of every machine transition the call takes. */
  constructor(private readonly onTransition: (key: string) => void) {
    // Not a literal, so a port the machine does not have yet is no type error; a port it lacks still is.
    const given = {
      send: (draft: EnvelopeDraft) => {
        if (this.sendThrows) {
          // What a phone does with a send port that throws: report it, and tell the call.
          this.portFailures.push('send');
          this.actor.send({ type: 'send.failed' } as never);
          return;
        }
        const checked = validateEnvelope(createEnvelope(draft, `sent-${this.sent.length + 1}`));
        if (checked.ok) this.sent.push(checked.envelope);
        else this.invalid.push(checked.error);
      },
      createPeerConnection: () => {
        if (this.refuseNextPeerConnection) {
          this.refuseNextPeerConnection = false;
          throw new TypeError("Failed to construct 'RTCPeerConnection': bad iceServers URL");
        }
        return this.pcs.factory({ iceServers: [] });
      },
      getUserMedia: this.media.getUserMedia,
      getDisplayMedia: this.media.getDisplayMedia,
      reportError: (error: HandsetError) => this.warnings.push(error),
      candidateRejected: (cause: unknown) => new HandsetError('candidate-rejected', 'refused', { cause }),
      reportPortFailure: (port: string) => this.portFailures.push(port),
    };
    const ports: CallPorts = given;
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
    this.actor.on('stats' as never, (event: { stats: { quality: string } }) =>
      this.emitted.push(event.stats.quality === 'held' ? 'stats(held)' : 'stats'),
    );
    this.actor.on('message' as never, () => this.emitted.push('message'));
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
    this.remoteCandidatesDelivered = 0;
    const call = {
      type: 'user.call',
      callId: CALL_IDS.ours,
      peerId: PEER,
      media: { audio: true, video: true },
    };
    if (isInCallEvent(event) && event !== 'remote.invite(peer, audio only)') {
      await this.controls.perform(event, w, this.controlTarget, (seq) => remoteMessage(event, w, seq));
      await settle();
      await settle();
      return;
    }
    if (event.includes('no peer connection')) this.refuseNextPeerConnection = true;
    if (event.includes('send throws')) this.sendThrows = true;
    if (event === 'user.call' || event === 'user.call(no peer connection)') {
      this.actor.send(call as never);
    } else if (event.startsWith('user.call(link ')) {
      this.actor.send({ ...call, link: event.slice('user.call(link '.length, -1) } as never);
    } else if (event.startsWith('link.changed(')) {
      this.actor.send({ type: 'link.changed', link: event.slice('link.changed('.length, -1) } as never);
    } else if (event.startsWith('user.')) {
      this.actor.send({ type: event } as never);
    } else if (event.startsWith('remote.')) {
      const decoded = decodeEnvelope(
        encodeEnvelope(createEnvelope(remoteMessage(event, w), `in-${this.sent.length}`)),
      );
      if (!decoded.ok) throw decoded.error;
      if (decoded.envelope.type === 'candidates')
        this.remoteCandidatesDelivered += decoded.envelope.candidates.length;
      this.actor.send({ type: 'signal', envelope: decoded.envelope });
      if (event === 'remote.candidates(more than the buffer holds)') await this.floodCandidates(w);
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
    } else if (event === 'pc.candidates(more than one message holds)') {
      for (const candidate of manyCandidates(PROTOCOL_LIMITS.maxCandidatesPerMessage + 1)) {
        this.actor.send({ type: 'pc.candidate', candidate } as never);
      }
    } else if (event.startsWith('timer.')) {
      this.clock.fire(TIMER_MS[event.slice('timer.'.length) as TimerName]);
    } else {
      await this.settleOperation(event, runningOperation(w));
    }
    await settle();
    await settle();
  }

  /** One message from the network: encoded, decoded by the protocol, and handed to the call. */
  private deliver(draft: EnvelopeDraft): void {
    const decoded = decodeEnvelope(encodeEnvelope(createEnvelope(draft, `in-${this.sent.length}`)));
    if (!decoded.ok) throw decoded.error;
    this.actor.send({ type: 'signal', envelope: decoded.envelope });
  }

  private async settleOperation(event: SpecEvent, src: string): Promise<void> {
    if (event === 'op.ok(ICE already up)') {
      this.pc.setIceState('checking');
      this.pc.setIceState('connected');
    }
    if (event === 'op.ok(ICE already failed)') {
      this.pc.setIceState('checking');
      this.pc.setIceState('failed');
    }
    if (event === 'op.ok' || event === 'op.ok(ICE already up)' || event === 'op.ok(ICE already failed)') {
      const output =
        src === 'acquireMedia'
          ? (input: unknown) =>
              this.media.getUserMedia((input as { media: { audio: boolean; video: boolean } }).media)
          : (input: unknown) => OUTPUTS[src]!(input, this.pc);
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

  /** The rest of a flood: full messages until the buffer cannot hold them all. */
  private async floodCandidates(w: World): Promise<void> {
    while (this.remoteCandidatesDelivered <= REMOTE_CANDIDATE_BUFFER) {
      await settle();
      const decoded = decodeEnvelope(
        encodeEnvelope(
          createEnvelope(
            remoteMessage('remote.candidates(more than the buffer holds)', w),
            `in-flood-${this.remoteCandidatesDelivered}`,
          ),
        ),
      );
      if (!decoded.ok) throw decoded.error;
      if (decoded.envelope.type === 'candidates')
        this.remoteCandidatesDelivered += decoded.envelope.candidates.length;
      this.actor.send({ type: 'signal', envelope: decoded.envelope });
    }
  }

  isRunning(src: string): boolean {
    return this.operations.isRunning(src);
  }

  get operationNames(): readonly string[] {
    return OPERATIONS;
  }
}
