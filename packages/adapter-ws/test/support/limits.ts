// Every budget of the server out of the way, so a test turns on only the ones it is about.
import type { SignalServerLimits } from '../../src/server/index.js';

export const UNLIMITED: Partial<SignalServerLimits> = {
  messagesPerSecond: 1e6,
  messageBurst: 1e6,
  bytesPerSecond: 1e9,
  byteBurst: 1e9,
  userMessagesPerSecond: 1e6,
  userMessageBurst: 1e6,
  userBytesPerSecond: 1e9,
  userByteBurst: 1e9,
  addressMessagesPerSecond: 1e6,
  addressMessageBurst: 1e6,
  addressBytesPerSecond: 1e9,
  addressByteBurst: 1e9,
  addressConnectBurst: 1e6,
  maxConnectionsPerAddress: 1e6,
  pairInvitesPerMinute: 1e9,
  pairInviteBurst: 1e9,
};
