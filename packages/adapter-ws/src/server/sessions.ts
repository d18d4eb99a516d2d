// Sessions: one per device. A session outlives its connection for a grace period, queueing what is
// addressed to it, so a client that reconnects with its session id misses nothing.
import { type Envelope, encodeEnvelope } from '@handset/core';
import { nanoid } from 'nanoid';
import { Outbox, type OutboxBounds } from './outbox.js';

/** The slice of a ws socket a session writes to. */
export interface SessionLink {
  send(frame: string): void;
  close(code: number, reason: string): void;
}

const RECENT_IDS = 512;
let nextOrder = 0;

export class Session {
  readonly id = nanoid();
  link: SessionLink | null = null;
  /**
   * Envelopes not yet acknowledged by the client: unsent ones (grace period) and sent ones a dead link
   * may have swallowed. On resume, everything past the client's count is sent again, in order.
   */
  private outbox: Outbox | null = null;
  private graceTimer: ReturnType<typeof setTimeout> | null = null;
  /** Ids of the last RECENT_IDS envelopes from this session, and the same ids oldest first (made on first use). */
  private recentIds: Set<string> | null = null;
  private recentOrder: string[] | null = null;
  private recentNext = 0;
  /** The device this session speaks for: the `fromDevice` of its first envelope, kept across resumes. */
  private deviceId: string | null = null;
  /** Sessions of this process in the order they were made (a small integer, not a boxed time). */
  readonly order = nextOrder++;

  constructor(
    readonly userId: string,
    /** How much is kept unacknowledged (the server's, shared). */
    private readonly bounds: OutboxBounds,
    private readonly now: () => number,
    /** Came with a session id this server does not know: welcomed by an earlier run of the server. */
    readonly returning = false,
  ) {}

  get attached(): boolean {
    return this.link !== null;
  }

  /**
   * Sends now if attached, and keeps it until acknowledged. Returns false if an unsent one was dropped.
   * `frame`: the envelope as encoded already (once for all of a user's sessions).
   */
  deliver(envelope: Envelope, frame: string = encodeEnvelope(envelope)): boolean {
    this.outbox ??= new Outbox(this.bounds);
    const dropped = this.outbox.push(frame, this.now());
    this.link?.send(frame);
    // Only a loss when it was never sent; sent ones were merely kept in case the link was dead.
    return !dropped || this.link !== null;
  }

  /** The client has received `received` envelopes of this session so far. */
  acknowledge(received: number): void {
    this.outbox?.acknowledge(received);
  }

  /** Bytes of the envelopes this session keeps unacknowledged. */
  get queuedBytes(): number {
    return this.outbox?.queuedBytes ?? 0;
  }

  /**
   * Binds a (new) connection and sends what the client has not confirmed, in order, each with the
   * time it waited. A client that starts afresh (`received` 0) gets everything still held.
   */
  attach(link: SessionLink, received: number): void {
    this.stopGrace();
    this.link = link;
    this.acknowledge(received);
    if (this.outbox === null) return;
    for (const { frame, waitedMs } of this.outbox.held(this.now())) {
      // Held frames are the server's own or validated ones: parsed again only on this rare path.
      const envelope = JSON.parse(frame) as Envelope;
      link.send(encodeEnvelope({ ...envelope, ageMs: (envelope.ageMs ?? 0) + waitedMs }));
    }
  }

  detach(graceMs: number, onExpired: (unconfirmed: Envelope[]) => void): void {
    this.link = null;
    this.stopGrace();
    this.graceTimer = setTimeout(() => {
      this.graceTimer = null;
      onExpired(this.outbox?.takeAll() ?? []);
    }, graceMs);
  }

  stopGrace(): void {
    if (this.graceTimer) clearTimeout(this.graceTimer);
    this.graceTimer = null;
  }

  /** Binds the session to its first device id; false for any other id after that. */
  claimDevice(deviceId: string): boolean {
    this.deviceId ??= deviceId;
    return this.deviceId === deviceId;
  }

  /** True the first time an envelope id is seen: clients resend unconfirmed envelopes after a reconnect. */
  firstSighting(envelopeId: string): boolean {
    if (this.recentIds === null || this.recentOrder === null) {
      this.recentIds = new Set();
      this.recentOrder = [];
    }
    const seen = this.recentIds;
    if (seen.has(envelopeId)) return false;
    seen.add(envelopeId);
    // A ring of the ids in arrival order: forgetting the oldest costs no iterator per envelope.
    const order = this.recentOrder;
    if (order.length < RECENT_IDS) order.push(envelopeId);
    else {
      const oldest = order[this.recentNext] as string;
      seen.delete(oldest);
      order[this.recentNext] = envelopeId;
      this.recentNext = (this.recentNext + 1) % RECENT_IDS;
    }
    return true;
  }
}

/** Every session on this node, by id and by user. */
export class SessionTable {
  private readonly byId = new Map<string, Session>();
  /** A user's sessions; a small array (most users have one device), replaced on change, never mutated. */
  private readonly byUser = new Map<string, readonly Session[]>();

  get(sessionId: string): Session | undefined {
    return this.byId.get(sessionId);
  }

  forUser(userId: string): readonly Session[] {
    return this.byUser.get(userId) ?? NONE;
  }

  /** Returns true when this is the user's first session on this node. */
  add(session: Session): boolean {
    this.byId.set(session.id, session);
    const sessions = this.byUser.get(session.userId);
    this.byUser.set(session.userId, sessions ? [...sessions, session] : [session]);
    return sessions === undefined;
  }

  /** Returns true when the user has no session left on this node. */
  remove(session: Session): boolean {
    session.stopGrace();
    if (this.byId.get(session.id) !== session) return false;
    this.byId.delete(session.id);
    const left = (this.byUser.get(session.userId) ?? NONE).filter((other) => other !== session);
    if (left.length === 0) {
      this.byUser.delete(session.userId);
      return true;
    }
    this.byUser.set(session.userId, left);
    return false;
  }

  all(): IterableIterator<Session> {
    return this.byId.values();
  }

  get userCount(): number {
    return this.byUser.size;
  }

  get size(): number {
    return this.byId.size;
  }
}

const NONE: readonly Session[] = [];
