export * from './names.js';
export * from './config.js';
export * from './tracing.js';
export * from './log-fields.js';
export * from './service-span.js';
