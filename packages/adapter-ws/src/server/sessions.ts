// Sessions: one per device. A session outlives its connection for a grace period, queueing what is
// addressed to it, so a client that reconnects with its session id misses nothing.
import { type Envelope, encodeEnvelope } from '@handset/core';
import { nanoid } from 'nanoid';

/** The slice of a ws socket a session writes to. */
export interface SessionLink {
  send(frame: string): void;
  close(code: number, reason: string): void;
}

interface Held {
  envelope: Envelope;
  heldAt: number;
}

const RECENT_IDS = 512;

export class Session {
  readonly id = nanoid();
  link: SessionLink | null = null;
  private held: Held[] = [];
  private graceTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly recentIds = new Set<string>();
  readonly createdAt: number;

  constructor(
    readonly userId: string,
    private readonly maxHeld: number,
    private readonly now: () => number,
  ) {
    this.createdAt = now();
  }

  get attached(): boolean {
    return this.link !== null;
  }

  /** Sends now, or holds while the session is in its grace period. Returns false if one was dropped. */
  deliver(envelope: Envelope): boolean {
    if (this.link) {
      this.link.send(encodeEnvelope(envelope));
      return true;
    }
    this.held.push({ envelope, heldAt: this.now() });
    if (this.held.length <= this.maxHeld) return true;
    this.held.shift();
    return false;
  }

  /** Binds a (new) connection, then hands over what was held, in order, with the time it waited. */
  attach(link: SessionLink): void {
    this.stopGrace();
    this.link = link;
    const now = this.now();
    for (const { envelope, heldAt } of this.held.splice(0)) {
      link.send(encodeEnvelope({ ...envelope, ageMs: (envelope.ageMs ?? 0) + (now - heldAt) }));
    }
  }

  detach(graceMs: number, onExpired: (held: Envelope[]) => void): void {
    this.link = null;
    this.stopGrace();
    this.graceTimer = setTimeout(() => {
      this.graceTimer = null;
      onExpired(this.held.splice(0).map((h) => h.envelope));
    }, graceMs);
  }

  stopGrace(): void {
    if (this.graceTimer) clearTimeout(this.graceTimer);
    this.graceTimer = null;
  }

  /** True the first time an envelope id is seen: clients resend unconfirmed envelopes after a reconnect. */
  firstSighting(envelopeId: string): boolean {
    if (this.recentIds.has(envelopeId)) return false;
    this.recentIds.add(envelopeId);
    if (this.recentIds.size > RECENT_IDS) {
      const oldest = this.recentIds.values().next().value;
      if (oldest !== undefined) this.recentIds.delete(oldest);
    }
    return true;
  }
}

/** Every session on this node, by id and by user. */
export class SessionTable {
  private readonly byId = new Map<string, Session>();
  private readonly byUser = new Map<string, Set<Session>>();

  get(sessionId: string): Session | undefined {
    return this.byId.get(sessionId);
  }

  forUser(userId: string): ReadonlySet<Session> {
    return this.byUser.get(userId) ?? new Set();
  }

  /** Returns true when this is the user's first session on this node. */
  add(session: Session): boolean {
    this.byId.set(session.id, session);
    let sessions = this.byUser.get(session.userId);
    const first = !sessions;
    if (!sessions) this.byUser.set(session.userId, (sessions = new Set()));
    sessions.add(session);
    return first;
  }

  /** Returns true when the user has no session left on this node. */
  remove(session: Session): boolean {
    session.stopGrace();
    if (this.byId.get(session.id) !== session) return false;
    this.byId.delete(session.id);
    const sessions = this.byUser.get(session.userId);
    sessions?.delete(session);
    if (sessions && sessions.size === 0) {
      this.byUser.delete(session.userId);
      return true;
    }
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
