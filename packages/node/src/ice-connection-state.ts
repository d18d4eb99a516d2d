// Translates werift's iceConnectionState into the sequence a browser reports, so the call machine sees
// new → checking → connected (→ disconnected/failed) and nothing werift-specific.
import type { IceConnectionState } from '@handset/core';

/**
 * The state to report after werift reports `raw`, given what was reported before.
 * - werift 0.24.4 says `completed` when candidate *gathering* finishes (before any check), never when
 *   checks complete: it is not a connection state at all, so the reported state stays as it was.
 * - An ICE restart makes werift fall back to `new`; a browser keeps the state it had while it gathers again.
 * - During an ICE restart of a live connection werift says `checking`; a browser stays `connected` until the
 *   new pair is chosen, because media still flows over the old one.
 */
export function nextReportedIceState(
  reported: IceConnectionState,
  raw: IceConnectionState,
): IceConnectionState {
  if (raw === 'completed') return reported;
  if (raw === 'new' && reported !== 'new') return reported;
  if (raw === 'checking' && reported === 'connected') return reported;
  return raw;
}
