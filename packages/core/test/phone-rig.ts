// Phones wired to fakes on one in-memory network and one manual clock, with everything a test wants to
// look at (events, the current view, the peer connections made, what each device sent) kept at hand.
import {
  type CallTimeouts,
  type CallView,
  createPhone,
  DEFAULT_TIMEOUTS,
  type Envelope,
  type GetUserMedia,
  type Phone,
  type PhoneEvent,
  type PhoneOptions,
  type SignalingTransport,
} from '../src/index.js';
import {
  createFakeMedia,
  createFakePeerConnections,
  createMemoryNetwork,
  type FakeMedia,
  type FakePeerConnection,
  type FakePeerConnectionOptions,
  type FakePeerConnections,
  type MemoryNetwork,
  type MemoryTransport,
} from '../src/testing/index.js';
import { ManualClock, settle } from './manual-clock.js';

export interface Handset {
  readonly userId: string;
  readonly deviceId: string;
  readonly phone: Phone;
  readonly transport: MemoryTransport;
  readonly pcs: FakePeerConnections;
  readonly media: FakeMedia;
  /** Every event the phone emitted, in order. */
  readonly events: PhoneEvent[];
  /** The phone's current call view. */
  view(): CallView;
  /** The peer connection made last (the current call's). */
  pc(): FakePeerConnection;
  /** Envelopes this device put on the network, in order. */
  sent(): Envelope[];
  protocolErrors(): string[];
}

export interface HandsetOptions {
  deviceId?: string;
  pc?: FakePeerConnectionOptions;
  getUserMedia?: GetUserMedia;
  deny?: 'NotAllowedError' | 'NotFoundError';
  inspect?: PhoneOptions['inspect'];
  /** Puts something between the phone and its memory transport (a scripted link, a throwing send...). */
  wrapTransport?: (transport: MemoryTransport) => SignalingTransport;
  /** Replaces the fake peer-connection factory (e.g. one that throws). */
  peerConnectionFactory?: PhoneOptions['peerConnectionFactory'];
  /** Replaces the fake media's getDisplayMedia (e.g. one that answers only when told). */
  getDisplayMedia?: PhoneOptions['getDisplayMedia'];
  enumerateDevices?: PhoneOptions['enumerateDevices'];
}

export interface RigOptions {
  timeouts?: Partial<CallTimeouts>;
  maxIceRestarts?: number;
}

export interface Rig {
  readonly network: MemoryNetwork;
  readonly clock: ManualClock;
  readonly timeouts: CallTimeouts;
  add(userId: string, options?: HandsetOptions): Handset;
  /** Lets promise jobs run, then lets the candidate batch window close, twice over. */
  settle(): Promise<void>;
  dispose(): void;
}

export function createRig(options: RigOptions = {}): Rig {
  const network = createMemoryNetwork();
  const clock = new ManualClock();
  const timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  const phones: Phone[] = [];

  return {
    network,
    clock,
    timeouts,
    add(userId, handsetOptions = {}) {
      const deviceId = handsetOptions.deviceId ?? `${userId}-1`;
      const transport = network.connect(userId);
      const pcs = createFakePeerConnections(handsetOptions.pc);
      const media = createFakeMedia(handsetOptions.deny ? { deny: handsetOptions.deny } : {});
      const phone = createPhone({
        userId,
        deviceId,
        transport: handsetOptions.wrapTransport ? handsetOptions.wrapTransport(transport) : transport,
        peerConnectionFactory: handsetOptions.peerConnectionFactory ?? pcs.factory,
        getUserMedia: handsetOptions.getUserMedia ?? media.getUserMedia,
        getDisplayMedia: handsetOptions.getDisplayMedia ?? media.getDisplayMedia,
        enumerateDevices: handsetOptions.enumerateDevices ?? media.enumerateDevices,
        timeouts,
        ...(options.maxIceRestarts === undefined ? {} : { maxIceRestarts: options.maxIceRestarts }),
        clock: clock.for(deviceId),
        ...(handsetOptions.inspect ? { inspect: handsetOptions.inspect } : {}),
      });
      phones.push(phone);
      const events: PhoneEvent[] = [];
      phone.events$.subscribe((event) => events.push(event));
      let current: CallView | undefined;
      phone.call$.subscribe((view) => {
        current = view;
      });
      return {
        userId,
        deviceId,
        phone,
        transport,
        pcs,
        media,
        events,
        view: () => current!,
        pc: () => pcs.created.at(-1)!,
        sent: () => network.log.filter((e) => e.from === userId && e.fromDevice === deviceId),
        protocolErrors: () =>
          events.flatMap((event) => (event.type === 'protocol-error' ? [event.error.code] : [])),
      };
    },
    async settle() {
      for (let round = 0; round < 2; round++) {
        await settle();
        await clock.advance(timeouts.candidateBatchMs);
      }
      await settle();
    },
    dispose() {
      for (const phone of phones) phone.dispose();
    },
  };
}
