// @handset/adapter-mqtt: the browser-safe MQTT transport. The embedded broker is @handset/adapter-mqtt/broker.
/** @module @handset/adapter-mqtt */
export {
  createDefaultReconnectPolicy,
  type Logger,
  type LogLevel,
  type ReconnectContext,
  type ReconnectPolicy,
  type TokenSource,
  TransportError,
  type TransportErrorReason,
} from '@handset/core';
export { ICE_SERVER_LIMITS, type IceServersSource } from './ice-servers.js';
export type { MqttTransportOptions } from './mqtt-options.js';
export { createMqttTransport, type MqttTransport } from './mqtt-transport.js';
export type { MqttWebSocketConstructor, MqttWebSocketLike } from './mqtt-websocket-stream.js';
export {
  clientIdOf,
  createTopicLayout,
  DEFAULT_TOPIC_PREFIX,
  isClientIdOf,
  type ParsedTopic,
  PRESENCE_OFFLINE,
  PRESENCE_ONLINE,
  type TopicLayout,
} from './topics.js';
