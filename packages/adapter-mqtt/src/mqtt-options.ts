// The options of the MQTT transport, with their defaults (what the README's option table lists), and what
// they make of the options mqtt.js is given.
import type { Clock, Logger, ReconnectPolicy, TokenSource } from '@handset/core';
import type { IClientOptions } from 'mqtt';
import type { IceServersSource } from './ice-servers.js';
import type { MqttWebSocketConstructor } from './mqtt-websocket-stream.js';
import { PRESENCE_OFFLINE } from './topics.js';

/**
 * What `createMqttTransport` takes: the broker URL, the user and their credentials, and optional policies.
 */
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
  token?: TokenSource;
  /**
   * MQTT client id, which is also this device's presence topic level: `<userId>:<device>` with `<device>`
   * 1-64 of `A-Za-z0-9_-` (the form both shipped brokers require). Default: `<userId>:<random device>`.
   */
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
  /** Time allowed for CONNACK and the inbox subscription before an attempt counts as failed. Default 10 s. */
  connectTimeoutMs?: number;
  reconnectPolicy?: ReconnectPolicy;
  /** The link's timers (connect timeout, backoff). Default: the platform's. */
  clock?: Clock;
  /** How many peers' presence topics are watched at most. Default 256. */
  presenceCacheSize?: number;
  /**
   * How long the first read of a peer's presence waits for one of its devices to be seen online before
   * the peer counts as offline (an envelope to it is then answered `unavailable`). A peer seen online
   * ends the wait at once. Default 2000 ms.
   */
  presenceSettleMs?: number;
  /**
   * Where `iceServers$` comes from. Absent: the embedded broker's per-connection ice topic (its `turn`
   * option). A function (for mosquitto or any broker next to a token service using `turnCredentials`) is
   * called at start and again at 3/4 of the earliest credential's remaining life (its TURN REST username
   * `<expiry>:<user>`; 45 min without one, 30 s after a failure); the ice topic is then not subscribed.
   */
  iceServers?: IceServersSource;
  /** Core's logger shape; entries carry `ns: 'handset:mqtt'`. Silent by default. */
  logger?: Logger;
  /**
   * For ws:// and wss:// URLs: the WebSocket the transport's own stream runs over, which sends each MQTT
   * packet in the task that wrote it (mqtt.js's browser stream waits a `setTimeout(0)` per packet).
   * Default `globalThis.WebSocket` (browsers, Node 22+); in Node 20 pass `WebSocket` from `ws`, or leave
   * it out for mqtt.js's own stream over `ws`, which is also kept when `mqttOptions` sets `wsOptions`,
   * `createWebsocket`, `transformWsUrl`, `browserBufferSize` or a TLS option (`ca`, `cert`, `key`, `pfx`,
   * `passphrase`, `rejectUnauthorized`).
   */
  WebSocket?: MqttWebSocketConstructor;
  /** Passed to mqtt.js as they are (TLS options, `wsOptions`...); Handset's own options win. */
  mqttOptions?: Partial<IClientOptions>;
}

/**
 * What the transport gives mqtt.js (the password aside): the user's `mqttOptions` under Handset's own.
 * `willTopic` is this device's presence topic, where the broker says `offline` for a link that dies.
 */
export function mqttClientOptions(
  options: MqttTransportOptions,
  clientId: string,
  willTopic: string,
  offlineExpirySeconds: number,
): IClientOptions {
  return {
    ...options.mqttOptions,
    protocolVersion: 5,
    clientId,
    username: options.userId,
    // A persistent session: the broker queues our QoS 1 inbox messages while the link is down.
    clean: false,
    properties: {
      ...options.mqttOptions?.properties,
      sessionExpiryInterval: options.sessionExpirySeconds ?? 120,
      requestProblemInformation: true,
    },
    keepalive: options.keepaliveSeconds ?? 30,
    connectTimeout: options.connectTimeoutMs ?? 10_000,
    // The link drives reconnection (by its policy) and the subscriptions (in setUp).
    manualConnect: true,
    reconnectPeriod: 0,
    resubscribe: false,
    will: {
      topic: willTopic,
      payload: PRESENCE_OFFLINE,
      qos: 1,
      retain: true,
      properties: { messageExpiryInterval: offlineExpirySeconds },
    },
  };
}
