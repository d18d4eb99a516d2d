// The SignalingTransport over an MQTT 5 broker (mqtt.js): one inbox per user, retained presence with a Last
// Will, QoS 1, message expiry on invites. Browser-safe: no Node module is imported here.
import {
  createEnvelope,
  decodeEnvelope,
  type Envelope,
  encodeEnvelope,
  HandsetError,
  type SignalingTransport,
  TransportError,
  type TransportErrorReason,
  type TransportStatus,
} from '@handset/core';
// The default import: mqtt's browser ESM build has no named exports, only a default one.
import mqtt, { type IClientOptions, type IPublishPacket, type MqttClient } from 'mqtt';
import { nanoid } from 'nanoid';
import { BehaviorSubject, filter, firstValueFrom, type Observable, Subject } from 'rxjs';
import { BoundedSet } from './bounded-set.js';
import { bindLogger, type MqttLogger, silentLogger } from './logger.js';
import { PresenceDirectory, type PresenceState } from './presence-directory.js';
import { createDefaultReconnectPolicy, type ReconnectPolicy } from './reconnect-policy.js';
import {
  createTopicLayout,
  DEFAULT_TOPIC_PREFIX,
  isTopicSafeId,
  PRESENCE_OFFLINE,
  PRESENCE_ONLINE,
} from './topics.js';

export interface MqttTransportOptions {
  /** `mqtt://` or `mqtts://` (Node), `ws://` or `wss://` (Node and browsers). */
  url: string;
  /** The user this transport speaks for; sent as the MQTT username. */
  userId: string;
  /**
   * The MQTT password: a token from `createToken` for the embedded broker (a JWT, so EMQX's JWT
   * authenticator accepts it too), or the user's password on mosquitto. A function is called before
   * every connection attempt, so a refreshed token is picked up on reconnect. Omit it for a dev broker.
   */
  token?: string | (() => string);
  /** MQTT client id, which is also this device's presence id. Default: random per transport. */
  clientId?: string;
  /** Default `handset/v1`; must match the broker's ACL. */
  topicPrefix?: string;
  /**
   * How long the broker keeps this session (subscriptions and queued messages) after the link drops,
   * so messages sent during a short outage arrive after reconnecting. Default 120 s.
   */
  sessionExpirySeconds?: number;
  /** Message expiry for every envelope but invites (whose expiry is their lifetime). Default 120 s. */
  messageExpirySeconds?: number;
  /** How long an `offline` presence stays retained before the broker forgets it. Default 1 h. */
  offlinePresenceExpirySeconds?: number;
  /** Default 30 s. */
  keepaliveSeconds?: number;
  /** Time allowed for CONNACK before an attempt counts as failed. Default 10 s. */
  connectTimeoutMs?: number;
  reconnectPolicy?: ReconnectPolicy;
  /** How many peers' presence topics are watched at most. Default 256. */
  presenceCacheSize?: number;
  /**
   * How long the first read of a peer's presence waits for one of its devices to be seen online before
   * the peer counts as offline (an envelope to it is then answered `unavailable`). A peer seen online
   * ends the wait at once. Default 2000 ms.
   */
  presenceSettleMs?: number;
  logger?: MqttLogger;
  /** Passed to mqtt.js as they are (TLS options, `wsOptions`...); Handset's own options win. */
  mqttOptions?: Partial<IClientOptions>;
}

export interface MqttTransport extends SignalingTransport {
  readonly userId: string;
  readonly clientId: string;
  /** Failures the application should hear about: refused credentials, refused publishes. */
  readonly errors$: Observable<TransportError>;
  /** Settles once the MQTT connection is fully ended after `close()`. */
  readonly ended: Promise<void>;
}

/** CONNACK reason codes that retrying cannot fix (3.1.1 return codes 4/5, MQTT 5 0x86/0x87/0x8C). */
const CREDENTIALS_REFUSED = new Set([4, 5, 0x86, 0x87, 0x8c]);
const SEEN_IDS = 1024;
const ANSWERED_CALLS = 256;
const GRANTED_MAX_QOS = 2;
/**
 * Retained presence can trail the SUBACK by several event-loop turns of a busy broker; an offline peer
 * is still reported well within an invite's lifetime (30 s by default).
 */
const DEFAULT_PRESENCE_SETTLE_MS = 2000;

export function createMqttTransport(options: MqttTransportOptions): MqttTransport {
  if (!isTopicSafeId(options.userId)) {
    throw HandsetError.invalidArgument(
      'userId must be 1-128 printable ASCII characters without spaces, "/", "+" or "#"',
    );
  }
  const clientId = options.clientId ?? `handset-${nanoid(16)}`;
  if (!isTopicSafeId(clientId)) {
    throw HandsetError.invalidArgument(
      'clientId must be 1-128 printable ASCII characters without "/", "+" or "#"',
    );
  }
  return new MqttTransportImpl(options, clientId);
}

class MqttTransportImpl implements MqttTransport {
  readonly userId: string;
  readonly clientId: string;
  readonly status$ = new BehaviorSubject<TransportStatus>('connecting');
  private readonly frames = new Subject<string>();
  readonly incoming$ = this.frames.asObservable();
  private readonly errors = new Subject<TransportError>();
  readonly errors$ = this.errors.asObservable();
  readonly ended: Promise<void>;

  private readonly layout;
  private readonly log;
  private readonly client: MqttClient;
  private readonly presence: PresenceDirectory;
  private readonly policy: ReconnectPolicy;
  private readonly seenIds = new BoundedSet<string>(SEEN_IDS);
  private readonly answeredCalls = new BoundedSet<string>(ANSWERED_CALLS);
  /** Envelopes accepted by `send` and not yet handed to mqtt.js, in order. */
  private readonly outbox: Envelope[] = [];
  private pumping = false;
  private attempt = 0;
  private droppedAt: number | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
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
    this.log = bindLogger(options.logger ?? silentLogger, 'handset:mqtt');
    this.policy = options.reconnectPolicy ?? createDefaultReconnectPolicy();
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
          this.client.unsubscribe(filter, () => {});
        },
        barrier: () => this.roundTrip(),
      },
      Math.max(1, options.presenceCacheSize ?? 256),
      Math.max(0, options.presenceSettleMs ?? DEFAULT_PRESENCE_SETTLE_MS),
    );

    this.client = mqtt.connect(options.url, {
      ...options.mqttOptions,
      protocolVersion: 5,
      clientId,
      username: this.userId,
      password: this.currentToken(),
      // A persistent session: the broker queues our QoS 1 inbox messages while the link is down.
      clean: false,
      properties: {
        ...options.mqttOptions?.properties,
        sessionExpiryInterval: options.sessionExpirySeconds ?? 120,
        requestProblemInformation: true,
      },
      keepalive: options.keepaliveSeconds ?? 30,
      connectTimeout: options.connectTimeoutMs ?? 10_000,
      // Reconnection is driven by our policy (see scheduleReconnect), and subscriptions by onConnect.
      reconnectPeriod: 0,
      resubscribe: false,
      will: {
        topic: this.layout.presence(this.userId, clientId),
        payload: PRESENCE_OFFLINE,
        qos: 1,
        retain: true,
        properties: { messageExpiryInterval: this.offlineExpiry },
      },
    });
    this.client.on('connect', () => this.onConnect());
    this.client.on('close', () => this.onClose());
    this.client.on('error', (error) => this.onError(error));
    this.client.on('message', (topic, payload, packet) => this.onMessage(topic, payload, packet));
  }

  send(envelope: Envelope): void {
    if (this.isClosed()) return;
    // Like a server, stamp the sender: receivers drop any envelope whose `from` is not the topic's sender.
    this.outbox.push({ ...envelope, from: this.userId } as Envelope);
    void this.pump();
  }

  close(): void {
    if (this.isClosed()) return;
    this.outbox.length = 0;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.finish();
    const end = () =>
      this.client.end(false, { properties: { sessionExpiryInterval: 0 } }, () => this.resolveEnded());
    if (!this.client.connected) {
      this.client.end(true, () => this.resolveEnded());
      return;
    }
    // A clean DISCONNECT suppresses the Last Will, so say goodbye on the presence topic ourselves.
    const fallback = setTimeout(() => this.client.end(true, () => this.resolveEnded()), 2000);
    this.publishPresence(PRESENCE_OFFLINE).then(
      () => {
        clearTimeout(fallback);
        end();
      },
      () => {},
    );
  }

  private isClosed(): boolean {
    return this.status$.value === 'closed';
  }

  private finish(error?: TransportError): void {
    if (this.isClosed()) return;
    if (error) this.errors.next(error);
    this.presence.close();
    this.status$.next('closed');
    this.status$.complete();
    this.frames.complete();
    this.errors.complete();
  }

  private currentToken(): string | undefined {
    const { token } = this.options;
    return typeof token === 'function' ? token() : token;
  }

  private async onConnect(): Promise<void> {
    this.attempt = 0;
    this.droppedAt = null;
    this.log('info', 'connected', { userId: this.userId, clientId: this.clientId });
    try {
      const granted = await this.subscribe(this.layout.inboxFilter(this.userId));
      if (!granted) {
        this.fail(
          'invalid-configuration',
          'the broker refused the subscription to our own inbox (check its ACL)',
        );
        return;
      }
      await this.publishPresence(PRESENCE_ONLINE);
    } catch (error) {
      // The link dropped while setting up; onClose schedules the next attempt.
      this.log('debug', 'setup-interrupted', { error: String(error) });
      return;
    }
    if (this.isClosed() || !this.client.connected) return;
    this.presence.rewatchAll();
    this.status$.next('open');
  }

  private onClose(): void {
    if (this.isClosed()) return;
    if (this.status$.value !== 'reconnecting') this.status$.next('reconnecting');
    this.droppedAt ??= Date.now();
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.retryTimer || this.isClosed()) return;
    const delay = this.policy.nextRetryDelayMs({
      attempt: this.attempt,
      elapsedMs: Date.now() - (this.droppedAt ?? Date.now()),
    });
    this.attempt += 1;
    if (delay === null) {
      this.fail('reconnect-gave-up', 'gave up reconnecting to the broker (reconnect policy)');
      return;
    }
    this.log('debug', 'reconnect-scheduled', { attempt: this.attempt, delayMs: delay });
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.isClosed()) return;
      this.client.options.password = this.currentToken();
      // Keep the stores: they hold the QoS 1 messages sent while the link was down.
      this.client.reconnect({
        incomingStore: this.client.incomingStore,
        outgoingStore: this.client.outgoingStore,
      });
    }, delay);
  }

  private onError(error: Error & { code?: unknown }): void {
    if (typeof error.code === 'number' && CREDENTIALS_REFUSED.has(error.code)) {
      this.fail('token-refused', `the broker refused the credentials: ${error.message}`, error);
      return;
    }
    this.log('debug', 'link-error', { error: error.message });
  }

  private fail(reason: TransportErrorReason, message: string, cause?: unknown): void {
    if (this.isClosed()) return;
    this.log('error', 'transport-failed', { message });
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.outbox.length = 0;
    this.finish(TransportError.of(reason, message, { cause, wireCode: (cause as { code?: number })?.code }));
    this.client.end(true, () => this.resolveEnded());
  }

  private subscribe(topic: string, qos: 0 | 1 = 1): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.client.subscribe(topic, { qos }, (error, grants, suback) => {
        // A SUBACK with a failure code comes back as an error carrying the SUBACK: a refusal, not a drop.
        const refused = suback?.granted.some((code) => typeof code === 'number' && code > GRANTED_MAX_QOS);
        if (refused) resolve(false);
        else if (error) reject(error);
        else resolve((grants ?? []).every((grant) => grant.qos <= GRANTED_MAX_QOS));
      });
    });
  }

  /** Unsubscribes from a topic we never subscribe to: an acknowledged round trip with no effect. */
  private roundTrip(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.client.unsubscribe(this.layout.sync(this.userId), (error) => {
        // A refusal (UNSUBACK with a failure code) still completes the round trip; a dropped link does not.
        if (error && !this.client.connected) reject(error);
        else resolve();
      });
    });
  }

  private publishPresence(state: typeof PRESENCE_ONLINE | typeof PRESENCE_OFFLINE): Promise<void> {
    return new Promise((resolve, reject) => {
      this.client.publish(
        this.layout.presence(this.userId, this.clientId),
        state,
        {
          qos: 1,
          retain: true,
          ...(state === PRESENCE_OFFLINE
            ? { properties: { messageExpiryInterval: this.offlineExpiry } }
            : {}),
        },
        (error) => (error ? reject(error) : resolve()),
      );
    });
  }

  /** Hands the outbox to mqtt.js one envelope at a time, so presence look-ups never reorder messages. */
  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.outbox.length > 0 && !this.isClosed()) {
        const envelope = this.outbox[0]!;
        await this.deliver(envelope);
        if (this.outbox[0] === envelope) this.outbox.shift();
      }
    } finally {
      this.pumping = false;
    }
  }

  private async deliver(envelope: Envelope): Promise<void> {
    if (!isTopicSafeId(envelope.to)) {
      this.log('warn', 'unroutable-addressee', { callId: envelope.callId, type: envelope.type });
      this.answerUnavailable(envelope);
      return;
    }
    if (envelope.type !== 'unavailable') {
      const presence = await this.presenceOf(envelope.to);
      if (presence === null) return;
      if (presence === 'offline') {
        this.answerUnavailable(envelope);
        // A stale invite must never ring later; other messages may still reach a resuming session.
        if (envelope.type === 'invite') return;
      }
    }
    this.publishEnvelope(envelope);
  }

  /** Presence of `userId`, waiting through link drops; null once the transport is closed. */
  private async presenceOf(userId: string): Promise<PresenceState | null> {
    for (;;) {
      if (this.isClosed()) return null;
      if (this.status$.value !== 'open') {
        const opened = await firstValueFrom(
          this.status$.pipe(filter((s) => s === 'open' || s === 'closed')),
          {
            defaultValue: 'closed' as const,
          },
        );
        if (opened === 'closed') return null;
      }
      try {
        return await this.presence.lookup(userId);
      } catch (error) {
        this.log('debug', 'presence-lookup-interrupted', { userId, error: String(error) });
      }
    }
  }

  private publishEnvelope(envelope: Envelope): void {
    const expiry =
      envelope.type === 'invite' ? Math.max(1, Math.ceil(envelope.lifetimeMs / 1000)) : this.messageExpiry;
    this.client.publish(
      this.layout.inbox(envelope.to, this.userId),
      encodeEnvelope(envelope),
      { qos: 1, properties: { messageExpiryInterval: expiry } },
      (error) => {
        if (!error) return;
        this.log('warn', 'publish-refused', {
          callId: envelope.callId,
          type: envelope.type,
          error: error.message,
        });
        if (!this.isClosed())
          this.errors.next(TransportError.of('message-refused', `publish refused: ${error.message}`));
      },
    );
  }

  /** The addressee is offline: answer on its behalf, once per call, and never answer an `unavailable`. */
  private answerUnavailable(envelope: Envelope): void {
    if (envelope.type === 'unavailable' || !this.answeredCalls.add(envelope.callId)) return;
    const reply = createEnvelope(
      {
        type: 'unavailable',
        callId: envelope.callId,
        from: envelope.to,
        fromDevice: 'broker',
        to: this.userId,
      },
      nanoid(),
    );
    this.log('info', 'addressee-offline', { callId: envelope.callId, to: envelope.to });
    queueMicrotask(() => {
      if (!this.isClosed()) this.frames.next(encodeEnvelope(reply));
    });
  }

  private onMessage(topic: string, payload: Uint8Array, packet: IPublishPacket): void {
    if (this.isClosed()) return;
    const parsed = this.layout.parse(topic);
    if (!parsed) return;
    const text = new TextDecoder().decode(payload);
    if (parsed.kind === 'presence') {
      this.presence.record(parsed.userId, parsed.deviceId, text);
      return;
    }
    if (parsed.userId !== this.userId) return;
    this.deliverIncoming(parsed.senderId, text, packet);
  }

  private deliverIncoming(senderId: string, frame: string, packet: IPublishPacket): void {
    const decoded = decodeEnvelope(frame);
    // Bad frames go to the phone as they are: it reports them as typed protocol errors.
    if (!decoded.ok) {
      this.log('debug', 'bad-frame', { senderId, code: decoded.error.code });
      this.frames.next(frame);
      return;
    }
    const envelope = decoded.envelope;
    // The broker's ACL only lets `senderId` publish on this topic; the body must agree with it.
    if (envelope.from !== senderId || envelope.to !== this.userId) {
      this.log('warn', 'spoofed-sender', {
        senderId,
        from: envelope.from,
        to: envelope.to,
        callId: envelope.callId,
      });
      return;
    }
    // QoS 1 is at-least-once: a message resent after a reconnect must not be acted on twice.
    if (!this.seenIds.add(envelope.id)) return;
    const ageMs = envelope.type === 'invite' ? this.heldForMs(envelope.lifetimeMs, packet) : 0;
    this.frames.next(ageMs > (envelope.ageMs ?? 0) ? encodeEnvelope({ ...envelope, ageMs }) : frame);
  }

  /** How long the broker held an invite, from the message expiry it counted down (whole seconds). */
  private heldForMs(lifetimeMs: number, packet: IPublishPacket): number {
    const remaining = packet.properties?.messageExpiryInterval;
    if (typeof remaining !== 'number') return 0;
    return Math.max(0, Math.ceil(lifetimeMs / 1000) - remaining) * 1000;
  }
}
