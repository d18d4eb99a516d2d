// The front door: which TCP connections the server keeps, before any of them has authenticated.
// Per-address connect rate and connection cap, a deadline to finish the HTTP upgrade, and a bounded pool
// of pending connections that evicts from the address holding the most, so a flood cannot lock out a login.
import type { Socket } from 'node:net';
import type { ClusterUserBudgets } from './cluster-user-budget.js';
import type { Log } from './logger.js';
import type { SignalServerLimits } from './options.js';
import { BudgetPolicy, BudgetTable, type SharedBudget, TokenBucket, TrafficBudget } from './rate-limiter.js';
import { serverNow } from './server-clock.js';

/** What one connection holds from the front door, from its upgrade to its close. */
export interface AdmissionTicket {
  /** The frame/byte budget shared by every connection from this address. */
  readonly addressBudget: TrafficBudget;
  /** The hello was accepted: the connection leaves the pending pool and speaks for `userId`. */
  authenticated(userId: string): void;
  /**
   * The user's shared budget (this node's, and with Redis also the cluster's), taken at the first call
   * after `authenticated`: a connection that never sends holds none. Null before login.
   */
  userBudget(): SharedBudget | null;
  /** How to end this connection if the pending pool evicts it before it authenticates. */
  onEvict(connection: Evictable): void;
  /** The connection is gone. */
  release(): void;
}

/** What the pending pool ends when it must make room. */
export interface Evictable {
  evict(): void;
}

interface Pending {
  address: string;
  /** The connection, once upgraded; before that the socket itself, destroyed unanswered. */
  target: Evictable;
}

/** Full budgets are forgotten this often, keeping the tables as small as the set of recent senders. */
const SWEEP_INTERVAL_MS = 10_000;

export class Admission {
  private readonly open = new Map<string, number>();
  /** Insertion order is age: the first entry of an address is its oldest pending connection. */
  private readonly pending = new Map<Socket, Pending>();
  private readonly pendingByAddress = new Map<string, number>();
  private readonly connects = new Map<string, TokenBucket>();
  private readonly users: BudgetTable;
  private readonly addresses: BudgetTable;
  private readonly sweeper: ReturnType<typeof setInterval>;
  /** Refusals since the last log line: a flood is logged once per sweep, not once per socket. */
  private refused = { rate: 0, cap: 0, evicted: 0, timedOut: 0 };

  constructor(
    private readonly limits: SignalServerLimits,
    private readonly log: Log,
    /** With Redis: the user budgets summed over every node of the cluster. */
    private readonly clusterUsers: ClusterUserBudgets | null = null,
  ) {
    // One set of flows for every budget of a kind: a budget holds its tokens, not its own copy of the policy.
    const users = new BudgetPolicy(
      { perSecond: limits.userMessagesPerSecond, burst: limits.userMessageBurst },
      { perSecond: limits.userBytesPerSecond, burst: limits.userByteBurst },
    );
    const addresses = new BudgetPolicy(
      { perSecond: limits.addressMessagesPerSecond, burst: limits.addressMessageBurst },
      { perSecond: limits.addressBytesPerSecond, burst: limits.addressByteBurst },
    );
    this.users = new BudgetTable((now) => new TrafficBudget(users, now));
    this.addresses = new BudgetTable((now) => new TrafficBudget(addresses, now));
    this.sweeper = setInterval(() => this.sweep(), SWEEP_INTERVAL_MS);
    this.sweeper.unref();
  }

  /** Connections not yet authenticated. */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** A new TCP connection (the HTTP server's `connection` event): kept, or destroyed unanswered. */
  accept(socket: Socket): void {
    const address = socket.remoteAddress ?? 'unknown';
    const connects = this.connects.get(address) ?? this.newConnectBucket(address);
    if (!connects.take()) {
      this.refused.rate += 1;
      socket.destroy();
      return;
    }
    const open = this.open.get(address) ?? 0;
    if (open >= this.limits.maxConnectionsPerAddress) {
      this.refused.cap += 1;
      socket.destroy();
      return;
    }
    this.open.set(address, open + 1);
    if (this.pending.size >= this.limits.maxPendingConnections) this.evictOne();
    this.addPending(socket, address, { evict: () => socket.destroy() });
    // Idle before the upgrade completes (ws clears this once it owns the socket); slow headers are the
    // HTTP server's headersTimeout. Shared handlers: a held connection keeps no closure of its own.
    // (`on`, not `once` or setTimeout's callback: those wrap the handler in a new function per socket.)
    socket.setTimeout(this.limits.upgradeTimeoutMs);
    socket.on('timeout', this.onUpgradeTimeout);
    socket.on('close', this.onSocketClosed);
  }

  private readonly onUpgradeTimeout = (() => {
    const admission = this;
    return function onUpgradeTimeout(this: Socket): void {
      admission.refused.timedOut += 1;
      this.destroy();
    };
  })();

  private readonly onSocketClosed = (() => {
    const admission = this;
    return function onSocketClosed(this: Socket): void {
      admission.removePending(this);
      // Node keeps the peer's address once read (accept read it), so it is still known after close.
      admission.addressClosed(this.remoteAddress ?? 'unknown');
    };
  })();

  /** One connection from `address` is gone: its place under `maxConnectionsPerAddress` is free. */
  addressClosed(address: string): void {
    const left = (this.open.get(address) ?? 1) - 1;
    if (left <= 0) this.open.delete(address);
    else this.open.set(address, left);
  }

  /** The upgraded connection's ticket; the socket is the one `accept` saw. */
  ticketFor(socket: Socket): AdmissionTicket {
    // ws has cleared the upgrade deadline (setTimeout(0)); the connection's own deadlines take over.
    socket.removeListener('timeout', this.onUpgradeTimeout);
    // From here the ticket's release frees the address's place: the socket keeps ws's close listener
    // alone (one function, not an array of two, for the connection's whole life).
    socket.removeListener('close', this.onSocketClosed);
    forgetClearedTimer(socket);
    const address = socket.remoteAddress ?? 'unknown';
    return new Ticket(this, socket, address, this.addresses.acquire(address, serverNow()));
  }

  /** A ticket's user budget: this node's, and with Redis also the cluster's. */
  userBudget(userId: string): SharedBudget {
    const local = this.users.acquire(userId, serverNow());
    const cluster = this.clusterUsers;
    if (!cluster) return local;
    return {
      canTake: (bytes, now) => local.canTake(bytes, now) && !cluster.exhausted(userId),
      take: (bytes) => {
        local.take(bytes);
        cluster.spend(userId, bytes);
      },
    };
  }

  releaseBudgets(address: string, userId: string | null): void {
    this.addresses.release(address);
    if (userId !== null) this.users.release(userId);
  }

  releaseUser(userId: string): void {
    this.users.release(userId);
  }

  setEvictTarget(socket: Socket, target: Evictable): void {
    const entry = this.pending.get(socket);
    if (entry) entry.target = target;
  }

  close(): void {
    clearInterval(this.sweeper);
  }

  private newConnectBucket(address: string): TokenBucket {
    const bucket = new TokenBucket({
      perSecond: this.limits.addressConnectsPerSecond,
      burst: this.limits.addressConnectBurst,
    });
    this.connects.set(address, bucket);
    return bucket;
  }

  private addPending(socket: Socket, address: string, target: Evictable): void {
    this.pending.set(socket, { address, target });
    this.pendingByAddress.set(address, (this.pendingByAddress.get(address) ?? 0) + 1);
  }

  removePending(socket: Socket): void {
    const entry = this.pending.get(socket);
    if (!entry) return;
    this.pending.delete(socket);
    const left = (this.pendingByAddress.get(entry.address) ?? 1) - 1;
    if (left <= 0) this.pendingByAddress.delete(entry.address);
    else this.pendingByAddress.set(entry.address, left);
  }

  /**
   * The oldest pending connection of the address holding the most: one address cannot take the pool,
   * and a fresh login (newest, and alone from its address) is the last to go.
   */
  private evictOne(): void {
    let heaviest: string | null = null;
    let most = 0;
    for (const [address, count] of this.pendingByAddress) {
      if (count > most) {
        most = count;
        heaviest = address;
      }
    }
    for (const [socket, entry] of this.pending) {
      if (entry.address !== heaviest) continue;
      this.removePending(socket);
      this.refused.evicted += 1;
      entry.target.evict();
      return;
    }
  }

  private sweep(): void {
    const now = serverNow();
    this.users.sweep(now);
    this.addresses.sweep(now);
    for (const [address, bucket] of this.connects) if (bucket.full) this.connects.delete(address);
    const { rate, cap, evicted, timedOut } = this.refused;
    if (rate + cap + evicted + timedOut > 0) {
      this.log('warn', 'connections-refused', {
        connectRateLimited: rate,
        perAddressCap: cap,
        pendingEvicted: evicted,
        upgradeTimedOut: timedOut,
      });
      this.refused = { rate: 0, cap: 0, evicted: 0, timedOut: 0 };
    }
  }
}

let timerKey: symbol | undefined;

/**
 * Node keeps a cleared idle timer on its socket (with a bound callback), ~200 bytes for the connection's
 * whole life: dropped once cleared. A private field (`Symbol(timeout)`): if Node renames it, this does
 * nothing and the bytes stay.
 */
function forgetClearedTimer(socket: Socket): void {
  if (socket.timeout !== 0) return;
  timerKey ??= Object.getOwnPropertySymbols(socket).find((key) => key.description === 'timeout');
  if (timerKey !== undefined) (socket as unknown as Record<symbol, unknown>)[timerKey] = null;
}

/** One connection's hold on the front door (a class: no closures per connection). */
class Ticket implements AdmissionTicket {
  private userId: string | null = null;
  /** The user's budget, once taken (`userBudget`): released with the ticket. */
  private budget: SharedBudget | null = null;
  private released = false;

  constructor(
    private readonly admission: Admission,
    private readonly socket: Socket,
    private readonly address: string,
    readonly addressBudget: TrafficBudget,
  ) {}

  authenticated(userId: string): void {
    this.admission.removePending(this.socket);
    if (this.budget !== null && this.userId !== null) this.admission.releaseUser(this.userId);
    this.budget = null;
    this.userId = userId;
  }

  userBudget(): SharedBudget | null {
    if (this.userId === null || this.released) return null;
    this.budget ??= this.admission.userBudget(this.userId);
    return this.budget;
  }

  onEvict(connection: Evictable): void {
    this.admission.setEvictTarget(this.socket, connection);
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    this.admission.removePending(this.socket);
    this.admission.releaseBudgets(this.address, this.budget === null ? null : this.userId);
    this.admission.addressClosed(this.address);
  }
}
