export {
  predecode,
  createPredecoder,
  isHostnameChar,
  stripControlChars,
  refsParentFolder,
} from './predecode';
export type { PredecodeDialect, PredecodeOptions, Predecoder } from './predecode';
