export { DEFAULT_URL, SpoolClient, SpoolError, sleep } from './client.js';
export { SSEDecoder } from './sse.js';
export {
  MAXIMUM_IDEMPOTENCY_KEY_LENGTH,
  ProcessorContext,
  defineProcessor,
  deriveIdempotencyKey,
  fnv1a64,
  runProcessor,
} from './processor.js';
