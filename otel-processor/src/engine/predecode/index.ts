export {
  predecode,
  createPredecoder,
  isHostnameChar,
  stripControlChars,
  refsParentFolder,
} from './predecode';
export type { PredecodeDialect, PredecodeOptions, Predecoder } from './predecode';
export { splitQueueMessage } from './queue';
export type { QueueMessage } from './queue';
