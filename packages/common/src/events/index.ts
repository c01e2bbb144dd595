export * from './order-event.js';
export * from './stream.js';
export { RedisEventStream } from './redis-stream.js';
export { MemoryEventStream } from './memory-stream.js';
export { startConsumer, type ConsumerOptions, type RunningConsumer } from './consumer.js';
