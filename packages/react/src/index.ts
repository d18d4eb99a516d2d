// React hooks over a Handset phone: `usePhone` makes and disposes it, `useCall` reads its call,
// `usePhoneEvents` listens to what happens.
export { useCall } from './use-call.js';
export { usePhone } from './use-phone.js';
export { usePhoneEvents } from './use-phone-events.js';
