// The SignalingTransport over an MQTT 5 broker (mqtt.js): one inbox per user, retained presence with a Last
// Will, QoS 1, message expiry on invites. Core's link statechart owns the lifecycle; `mqtt-wire.ts` runs one
// connection attempt. Browser-safe: no Node module is imported here.
import {
  createEnvelope,
  type Envelope,
  encodeEnvelope,
  HandsetError,
  type IceServerConfig,
  isValidId,
  namespacedLogger,
  type SignalingTransport,
  TransportError,
  type TransportStatus,
  unavailableReplyTo,
} from '@handset/core';
import { createLink, type Link, tokenSourceProblem } from '@handset/core/link';
// The default import: mqtt's browser ESM build has no named exports, only a default one.
import mqtt, { type IPublishPacket, type MqttClient } from 'mqtt';
import { nanoid } from 'nanoid';
import { filter, firstValueFrom, type Observable, ReplaySubject, Subject } from 'rxjs';
import { NoSubscriberAcks, publishRetained, roundTrip, subscribeAcked } from './acked-requests.js';
import { BoundedSet } from './bounded-set.js';
import { parseIceServersPayload, pollIceServers } from './ice-servers.js';
import { InboxFilter } from './inbox-filter.js';
import { type MqttTransportOptions, mqttClientOptions } from './mqtt-options.js';
import { clientOverWebSocket } from './mqtt-websocket-stream.js';
import { connectMqtt, type MqttWireHost, urlProblem } from './mqtt-wire.js';
import { OpenGate } from './open-gate.js';
import { PresenceDirectory, type PresenceState } from './presence-directory.js';
import {
  clientIdOf,
  createTopicLayout,
  DEFAULT_TOPIC_PREFIX,
  isClientIdOf,
  PRESENCE_OFFLINE,
  PRESENCE_ONLINE,
  type TopicLayout,
} from './topics.js';

/** The MQTT signaling transport: a `SignalingTransport` over one MQTT 5 connection. */
export interface MqttTransport extends SignalingTransport {
  readonly userId: string;
  readonly clientId: string;
  readonly errors$: Observable<TransportError>;
  /** The current status (what `status$` last said). */
  readonly status: TransportStatus;
  /** Settles once the MQTT connection is fully ended after `close()`. */
  readonly ended: Promise<void>;
  /**
   * The latest ICE servers (replayed to each subscriber): from the broker's ice topic, or the
   * `iceServers` option's function. Malformed sets are dropped with a log line; the last good one stays.
   */
  readonly iceServers$: Observable<IceServerConfig[]>;
}

const ANSWERED_CALLS = 256;
/** What the broker said to one of our QoS 1 publishes. */
type PublishOutcome = 'accepted' | 'no-subscribers' | 'refused';
/** Retained presence can trail the SUBACK by several event-loop turns of a busy broker. */
const DEFAULT_PRESENCE_SETTLE_MS = 2000;

/** Throws `invalid-argument` for a user id or client id that can never be used; other options fail on errors$. */
export function createMqttTransport(options: MqttTransportOptions): MqttTransport {
  if (!isValidId(options.userId)) {
    throw HandsetError.invalidArgument(
      'userId must be 1-128 printable ASCII characters without spaces, "/", "+" or "#"',
    );
  }
  const clientId = options.clientId ?? clientIdOf(options.userId, nanoid(16));
  if (!isClientIdOf(clientId, options.userId)) {
    throw HandsetError.invalidArgument('clientId must be <userId>:<device>, the device 1-64 of A-Za-z0-9_-');
  }
  return new MqttTransportImpl(options, clientId);
}

class MqttTransportImpl implements MqttTransport {
  readonly userId: string;
  readonly clientId: string;
  private readonly frames = new Subject<string>();
  readonly incoming$ = this.frames.asObservable();
  readonly status$: Observable<TransportStatus>;
  readonly errors$: Observable<TransportError>;
  readonly ended: Promise<void>;
  private readonly iceServers = new ReplaySubject<IceServerConfig[]>(1);
  readonly iceServers$ = this.iceServers.asObservable();
  private stopIcePolling: () => void = () => {};

  private readonly layout: TopicLayout;
  private readonly log;
  private readonly link: Link;
  private readonly presence: PresenceDirectory;
  private readonly inbox: InboxFilter;
  private readonly answeredCalls = new BoundedSet<string>(ANSWERED_CALLS);
  private readonly noSubscriberAcks = new NoSubscriberAcks();
  private readonly gate = new OpenGate((frame) => this.frames.next(frame));
  /** The envelopes accepted by `send`, handed to mqtt.js one after another in order. */
  private sending: Promise<void> = Promise.resolve();
  private client: MqttClient | null = null;
  private resolveEnded: () => void = () => {};
  private readonly messageExpiry: number;
  private readonly offlineExpiry: number;

  constructor(
    private readonly options: MqttTransportOptions,
    clientId: string,
  ) {
    this.userId = options.userId;
    this.clientId = clientId;
    this.layout = createTopicLayout(options.topicPrefix ?? DEFAULT_TOPIC_PREFIX);
    this.log = namespacedLogger(options.logger, 'handset:mqtt');
    this.inbox = new InboxFilter(this.userId);
    this.messageExpiry = options.messageExpirySeconds ?? 120;
    this.offlineExpiry = options.offlinePresenceExpirySeconds ?? 3600;
    this.ended = new Promise((resolve) => {
      this.resolveEnded = resolve;
    });
    this.presence = new PresenceDirectory(
      this.layout,
      {
        // QoS 0: presence is re-read after every reconnect, so nothing needs queueing while away.
        subscribe: (filter) => this.subscribe(filter, 0),
        unsubscribe: (filter) => {
          this.client?.unsubscribe(filter, () => {});
        },
        barrier: () => this.roundTrip(),
      },
      Math.max(1, options.presenceCacheSize ?? 256),
      Math.max(0, options.presenceSettleMs ?? DEFAULT_PRESENCE_SETTLE_MS),
    );
    const host: MqttWireHost = {
      token: options.token,
      problem: urlProblem(options.url) ?? tokenSourceProblem(options.token),
      prepare: (password) => {
        if (this.client) {
          this.client.options.password = password;
          return { client: this.client, fresh: false };
        }
        const will = this.layout.presence(this.userId, this.clientId);
        const opts = { ...mqttClientOptions(options, this.clientId, will, this.offlineExpiry), password };
        const client =
          clientOverWebSocket(options.url, opts, options.WebSocket) ?? mqtt.connect(options.url, opts);
        client.on('message', (topic, payload, packet) => this.onMessage(topic, payload, packet));
        this.noSubscriberAcks.watch(client);
        this.client = client;
        return { client, fresh: true };
      },
      dial: (client, fresh) => {
        // Keep the stores on a reconnect: they hold the QoS 1 messages sent while the link was down.
        if (fresh) client.connect();
        else client.reconnect({ incomingStore: client.incomingStore, outgoingStore: client.outgoingStore });
      },
      setUp: () => this.setUp(),
      log: this.log,
    };
    this.link = createLink({
      ...(options.reconnectPolicy ? { reconnectPolicy: options.reconnectPolicy } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
      connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
      log: this.log,
      wire: (report) => connectMqtt(host, report),
      onOpen: () => this.presence.rewatchAll(),
      onClosed: () => this.finish(),
    });
    this.status$ = this.link.status$;
    this.status$.subscribe((status) => (status === 'open' ? this.gate.open() : this.gate.shut()));
    this.errors$ = this.link.errors$;
    // Started after the caller has the transport (and can subscribe): even a configuration error is heard.
    queueMicrotask(() => {
      this.link.start();
      const source = options.iceServers;
      if (source && !this.isClosed()) {
        this.stopIcePolling = pollIceServers(
          source,
          (servers) => this.iceServers.next(servers),
          this.log,
          options.clock,
        );
      }
    });
  }

  get status(): TransportStatus {
    return this.link.status;
  }

  send(envelope: Envelope): void {
    if (this.isClosed()) return;
    // Like a server, stamp the sender: receivers drop any envelope whose `from` is not the topic's sender.
    const stamped = { ...envelope, from: this.userId } as Envelope;
    this.sending = this.sending.then(() => this.deliver(stamped));
  }

  close(): void {
    this.link.close();
  }

  private isClosed(): boolean {
    return this.link.status === 'closed';
  }

  /**
   * After CONNACK: our inbox and ice topic, then our presence. False if the broker refused our own inbox; a
   * refused ice topic (a broker without it, such as mosquitto's shipped ACL) only means no ICE servers from it.
   */
  private async setUp(): Promise<boolean> {
    const iceTopic = this.options.iceServers ? null : this.layout.ice(this.userId, this.clientId);
    const [granted, iceGranted] = await Promise.all([
      this.subscribe(this.layout.inboxFilter(this.userId)),
      iceTopic ? this.subscribe(iceTopic) : Promise.resolve(true),
    ]);
    if (!granted) return false;
    if (!iceGranted) this.log('debug', 'ice-topic-refused', { topic: iceTopic });
    await this.publishPresence(PRESENCE_ONLINE);
    return true;
  }

  /** The link is closed (by `close()` or a permanent error): say goodbye, then end the MQTT connection. */
  private finish(): void {
    this.presence.close();
    this.frames.complete();
    this.stopIcePolling();
    this.iceServers.complete();
    const client = this.client;
    if (!client) {
      this.resolveEnded();
      return;
    }
    const end = () =>
      client.end(false, { properties: { sessionExpiryInterval: 0 } }, () => this.resolveEnded());
    if (!client.connected) {
      client.end(true, () => this.resolveEnded());
      return;
    }
    // A clean DISCONNECT suppresses the Last Will, so say goodbye on the presence topic ourselves.
    const fallback = setTimeout(() => client.end(true, () => this.resolveEnded()), 2000);
    this.publishPresence(PRESENCE_OFFLINE).then(
      () => {
        clearTimeout(fallback);
        end();
      },
      () => {},
    );
  }

  private subscribe(topic: string, qos: 0 | 1 = 1): Promise<boolean> {
    return subscribeAcked(this.client, topic, qos);
  }

  private roundTrip(): Promise<void> {
    return roundTrip(this.client, this.layout.sync(this.userId));
  }

  private publishPresence(state: typeof PRESENCE_ONLINE | typeof PRESENCE_OFFLINE): Promise<void> {
    const topic = this.layout.presence(this.userId, this.clientId);
    return publishRetained(
      this.client,
      topic,
      state,
      state === PRESENCE_OFFLINE ? this.offlineExpiry : undefined,
    );
  }

  /**
   * Publishes at once (no presence read on the way). The broker's PUBACK 0x10 (nobody subscribes to the
   * inbox, no session holds it: mosquitto, the embedded broker) answers `unavailable` at once and nothing
   * is stored. A delivered or held envelope is followed by a presence read, which catches an addressee
   * whose every device is gone but whose session the broker still holds.
   */
  private async deliver(envelope: Envelope): Promise<void> {
    if (!(await this.linkOpen())) return;
    this.publishEnvelope(envelope, (outcome) => {
      if (envelope.type === 'unavailable' || outcome === 'refused') return;
      if (outcome === 'no-subscribers') {
        this.answerUnavailable(envelope);
        return;
      }
      void this.presenceOf(envelope.to).then((presence) => {
        if (presence !== 'offline') return;
        this.answerUnavailable(envelope);
        // The held session must not ring later for a call its caller was told is over.
        if (envelope.type === 'invite') this.withdrawInvite(envelope);
      });
    });
  }

  /** Waits for the link to be open; false once the transport is closed. */
  private async linkOpen(): Promise<boolean> {
    if (this.isClosed()) return false;
    if (this.link.status === 'open') return true;
    const reached = await firstValueFrom(this.status$.pipe(filter((s) => s === 'open' || s === 'closed')), {
      defaultValue: 'closed' as const,
    });
    return reached === 'open';
  }

  /** A `cancel` after an invite that went into a session held for an offline addressee. */
  private withdrawInvite(invite: Envelope): void {
    const { callId, fromDevice, to } = invite;
    this.publishEnvelope(
      createEnvelope({ type: 'cancel', callId, from: this.userId, fromDevice, to }, nanoid()),
      () => {},
    );
  }

  /** Presence of `userId`, waiting through link drops; null once the transport is closed. */
  private async presenceOf(userId: string): Promise<PresenceState | null> {
    while (await this.linkOpen()) {
      try {
        return await this.presence.lookup(userId);
      } catch (error) {
        this.log('debug', 'presence-lookup-interrupted', { userId, error: String(error) });
      }
    }
    return null;
  }

  private publishEnvelope(envelope: Envelope, settled: (outcome: PublishOutcome) => void): void {
    const client = this.client;
    if (!client) return;
    const expiry =
      envelope.type === 'invite' ? Math.max(1, Math.ceil(envelope.lifetimeMs / 1000)) : this.messageExpiry;
    client.publish(
      this.layout.inbox(envelope.to, this.userId),
      encodeEnvelope(envelope),
      { qos: 1, properties: { messageExpiryInterval: expiry } },
      (error, packet) => {
        if (!error) return settled(this.noSubscriberAcks.take(packet) ? 'no-subscribers' : 'accepted');
        settled('refused');
        this.log('warn', 'publish-refused', {
          callId: envelope.callId,
          type: envelope.type,
          error: error.message,
        });
        // A refused publish leaves the link as it is: the broker's ACL or limits said no to this one.
        const wireCode = (error as { code?: unknown }).code;
        this.link.report(
          TransportError.of('message-refused', `publish refused: ${error.message}`, {
            ...(typeof wireCode === 'number' ? { wireCode } : {}),
          }),
        );
      },
    );
  }

  /** The addressee is offline: answer on its behalf, once per call (core's one builder of the reply). */
  private answerUnavailable(envelope: Envelope): void {
    if (!this.answeredCalls.add(envelope.callId)) return;
    const reply = unavailableReplyTo({ ...envelope, from: this.userId } as Envelope, 'broker');
    if (!reply) return;
    this.log('info', 'addressee-offline', { callId: envelope.callId, to: envelope.to });
    queueMicrotask(() => {
      if (!this.isClosed()) this.frames.next(encodeEnvelope(reply));
    });
  }

  /** A set from the broker: only for this connection, and well formed, else dropped (never logged: credentials). */
  private onIceServers(clientId: string, text: string): void {
    const servers = clientId === this.clientId ? parseIceServersPayload(text) : null;
    if (servers) this.iceServers.next(servers);
    else this.log('warn', 'ice-servers-dropped', { code: 'malformed', bytes: text.length });
  }

  private onMessage(topic: string, payload: Uint8Array, packet: IPublishPacket): void {
    if (this.isClosed()) return;
    const parsed = this.layout.parse(topic);
    if (!parsed) return;
    if (parsed.kind === 'presence') {
      this.presence.record(parsed.userId, parsed.deviceId, new TextDecoder().decode(payload));
      return;
    }
    if (parsed.kind === 'ice') {
      this.onIceServers(parsed.clientId, new TextDecoder().decode(payload));
      return;
    }
    if (parsed.userId !== this.userId) return;
    const verdict = this.inbox.judge(parsed.senderId, new TextDecoder().decode(payload), packet);
    if (verdict.deliver) this.gate.offer(verdict.frame);
    else
      this.log(verdict.event === 'duplicate' ? 'debug' : 'warn', verdict.event, {
        senderId: parsed.senderId,
      });
  }
}
