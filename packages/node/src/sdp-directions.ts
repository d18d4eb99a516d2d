// Reads the negotiated direction of each m-section, by mid, from an SDP blob: the one SDP fact the
// negotiation-needed check must know and werift does not expose for descriptions already applied.

export type MediaDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

const DIRECTIONS: readonly MediaDirection[] = ['sendrecv', 'sendonly', 'recvonly', 'inactive'];

/** Direction of each media section keyed by its `a=mid`; a section without a direction line is sendrecv. */
export function mediaDirectionsByMid(sdp: string | undefined): Map<string, MediaDirection> {
  const directions = new Map<string, MediaDirection>();
  if (!sdp) return directions;
  for (const section of sdp.split(/\r?\nm=/).slice(1)) {
    const lines = section.split(/\r?\n/);
    const mid = lines
      .find((line) => line.startsWith('a=mid:'))
      ?.slice('a=mid:'.length)
      .trim();
    if (mid === undefined) continue;
    const direction = DIRECTIONS.find((candidate) => lines.includes(`a=${candidate}`)) ?? 'sendrecv';
    directions.set(mid, direction);
  }
  return directions;
}

export function reverseDirection(direction: MediaDirection): MediaDirection {
  if (direction === 'sendonly') return 'recvonly';
  if (direction === 'recvonly') return 'sendonly';
  return direction;
}

/** What both sides allow: send only if both send, receive only if both receive. */
export function intersectDirections(a: MediaDirection, b: MediaDirection): MediaDirection {
  const sends = a.startsWith('send') && b.startsWith('send');
  const receives = (a === 'sendrecv' || a === 'recvonly') && (b === 'sendrecv' || b === 'recvonly');
  if (sends && receives) return 'sendrecv';
  if (sends) return 'sendonly';
  if (receives) return 'recvonly';
  return 'inactive';
}
