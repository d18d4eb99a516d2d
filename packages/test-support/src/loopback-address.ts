// The one address test traffic uses. @handset/node keeps its own copy internal (its loopbackOnly option).
export const LOOPBACK_ADDRESS = '127.0.0.1';
