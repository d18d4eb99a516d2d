// `@handset/core/server`: what a signaling server or broker built on Handset shares with the ones shipped —
// the browser-origin allow-list. Apps never need it; it is kept out of the app-facing root.
/** @module @handset/core/server */
export {
  createOriginPolicy,
  DEFAULT_ALLOWED_ORIGINS,
  DEV_ALLOWED_ORIGINS,
  type OriginPolicy,
} from '../origin-policy.js';
