export { type LogEntry, type LogLevel, type MqttLogger, silentLogger } from './logger.js';
export { createMqttTransport, type MqttTransport, type MqttTransportOptions } from './mqtt-transport.js';
export {
  createDefaultReconnectPolicy,
  type ReconnectContext,
  type ReconnectPolicy,
} from './reconnect-policy.js';
export {
  createTopicLayout,
  DEFAULT_TOPIC_PREFIX,
  isTopicSafeId,
  type ParsedTopic,
  PRESENCE_OFFLINE,
  PRESENCE_ONLINE,
  type TopicLayout,
} from './topics.js';
