/**
 * Helpers shared by the decoder and rule compilers: reading element text,
 * choosing a pattern dialect, and raising errors that name file, line and element.
 */
import type { XmlElement } from '../ruleset/xml';
import { RulesetError } from '../ruleset/errors';
import { compilePattern, type Pattern } from '../patterns';

export type Dialect = 'osregex' | 'osmatch' | 'pcre2' | 'string';

export function fail(el: XmlElement, detail: string): never {
  throw new RulesetError(el.file, el.line, el.name, detail);
}

/** Compiles one pattern element, turning pattern errors into errors that name the element. */
export function compileElementPattern(
  el: XmlElement, source: string, defaultDialect: Dialect, opts: { pcre2Caseless?: boolean; wazuh?: boolean } = {},
): Pattern {
  let dialect = defaultDialect;
  let caseless = opts.pcre2Caseless ?? false;
  const type = el.attributes.type;
  if (type !== undefined) {
    const t = type.toLowerCase();
    if (t === 'osregex' || t === 'osmatch' || t === 'pcre2') {
      dialect = t;
      caseless = false; // Wazuh compiles type="pcre2" with no flags
    } else fail(el, `invalid type="${type}" (expected osregex, osmatch or pcre2)`);
  }
  try {
    return compilePattern(dialect, source, { caseless, wazuh: opts.wazuh });
  } catch (e) {
    fail(el, `invalid ${dialect} pattern '${truncate(source)}': ${(e as Error).message}`);
  }
}

/** A negatable matcher as Wazuh allows (`negate="yes"`). */
export function isNegated(el: XmlElement): boolean {
  const v = el.attributes.negate;
  if (v === undefined) return false;
  const t = v.toLowerCase();
  if (t === 'yes' || t === 'true') return true;
  if (t === 'no' || t === 'false') return false;
  fail(el, `invalid negate="${v}" (expected yes or no)`);
}

export function truncate(s: string, n = 80): string {
  return s.length > n ? `${s.slice(0, n)}...` : s;
}

export function splitList(text: string): string[] {
  return text.split(/[,\s]+/).map((s) => s.trim()).filter((s) => s.length > 0);
}

export function parseIntStrict(el: XmlElement, text: string, what: string, min: number, max: number): number {
  const t = text.trim();
  if (!/^\d+$/.test(t)) fail(el, `${what} must be a whole number, got '${truncate(t)}'`);
  const n = Number(t);
  if (n < min || n > max) fail(el, `${what} must be between ${min} and ${max}, got ${n}`);
  return n;
}
