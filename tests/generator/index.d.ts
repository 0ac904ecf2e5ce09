/** Seeded log generator (see index.js for what it writes). */
export interface GenerateOptions {
  /** Same seed and options: same lines. */
  seed: number;
  /** How many lines. */
  lines: number;
  /** Only these formats (names from FORMATS, or `ini:<decoder>` with templates). Default: all. */
  formats?: readonly string[];
  /** Hosts (agents) the traffic comes from. Default 6. */
  agents?: number;
  /** Time of the first line, ms since the epoch. Default: a day in March 2026 chosen by the seed. */
  start?: number;
  /** Extra template lines (from iniTemplates). */
  templates?: readonly IniTemplate[];
}
export interface GeneratedLine { line: string; format: string; agent: string; time: number }
export interface Generated { lines: string[]; format: string[]; agent: string[]; time: number[] }
export interface IniTemplate { format: string; line: string }
export function generate(opts: GenerateOptions): Generated;
export function stream(opts: GenerateOptions): Generator<GeneratedLine>;
export function iniTemplates(dir: string): IniTemplate[];
export function decoderExamples(file: string): IniTemplate[];
export const FORMATS: readonly string[];
/** mulberry32: a small seeded generator of numbers in [0, 1), so a failing run can be repeated. */
export function mulberry32(seed: number): () => number;
