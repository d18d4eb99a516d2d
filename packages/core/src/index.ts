export * from './protocol.js';
export * from './transport.js';
export * from './ports.js';
export * from './end-reason.js';
export * from './errors.js';
