// The connected call's quality and path, as the page shows them: words for people, data attributes for
// tests and styles (`data-quality` = excellent | good | poor | lost, `data-path` = direct | relayed).
import type { CallStats, ConnectionPath } from '@handset/core';

/** A relay (TURN) carries the media; anything else reaches the peer's address itself. */
export const pathLabel = (path: ConnectionPath): 'direct' | 'relayed' =>
  path === 'relay' ? 'relayed' : 'direct';

export function showCallQuality(element: HTMLElement, stats: CallStats | null): void {
  if (!stats) {
    element.hidden = true;
    element.textContent = '';
    delete element.dataset.quality;
    delete element.dataset.path;
    return;
  }
  element.hidden = false;
  element.dataset.quality = stats.quality;
  const path = stats.path ? pathLabel(stats.path) : null;
  if (path) element.dataset.path = path;
  else delete element.dataset.path;
  const parts = [`Quality: ${stats.quality}`];
  if (path) parts.push(path);
  if (stats.roundTripTimeMs !== null) parts.push(`${stats.roundTripTimeMs} ms`);
  if (stats.packetLoss !== null && stats.packetLoss > 0)
    parts.push(`${(stats.packetLoss * 100).toFixed(1)} % lost`);
  element.textContent = parts.join(' · ');
}
