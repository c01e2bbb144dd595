export * from './client.js';
export * from './contract.js';
export * from './servers.js';
export * from './system.js';
export * from './fault-proxy.js';
export * from './ws-client.js';
export * from './orders.js';
