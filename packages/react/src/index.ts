// React hooks over a Handset phone: `usePhone` makes and disposes it, `useCall` reads its call,
// `usePhoneEvents` listens to what happens.
/** @module @handset/react */
export { useCall } from './use-call.js';
export { usePhone } from './use-phone.js';
export { usePhoneEvents } from './use-phone-events.js';
