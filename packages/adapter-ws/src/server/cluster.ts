// The port through which server processes share routing, presence and call membership. One node runs
// without it; `redis-cluster.ts` implements it over Redis pub/sub.
import type { Envelope } from '@handset/core';
import type { CallRegistry } from './call-registry.js';
import type { ClusterUserBudgets } from './cluster-user-budget.js';

export interface Cluster extends CallRegistry {
  readonly nodeId: string;
  /** Starts listening for envelopes other nodes route to this node's users. */
  start(onEnvelope: (envelope: Envelope) => void): Promise<void>;
  /** This node now holds a session of `userId` (awaited before the client is welcomed). */
  userArrived(userId: string): Promise<void>;
  /** This node holds no session of `userId` any more. */
  userLeft(userId: string): Promise<void>;
  /** Sends `envelope` to its addressee's sessions on the other nodes; true if any other node has one. */
  publish(envelope: Envelope): Promise<boolean>;
  /** Each user's frame/byte budget summed over the nodes (null: the user budget is unlimited). */
  readonly userBudgets: ClusterUserBudgets | null;
  health(): 'connected' | 'down';
  close(): Promise<void>;
}
