/**
 * Reader for OSSEC's rule unit-test files (`contrib/ossec-testing/tests/*.ini`, shipped in
 * the shared reference as `ossec-4.2.0/tests/*.ini`).
 *
 * OSSEC's runner (runtests.py) reads them with Python's ConfigParser and, per section,
 * runs every option whose name starts with `log ` against `ossec-logtest -U rule:alert:decoder`;
 * a name ending in `fail` must NOT produce that result, any other one (normally `pass`) must.
 *
 * The INI dialect reproduced here is the one the reference results
 * (`tests/engine-results.tsv`) were produced with — Python 3 configparser, raw (no `%`
 * interpolation), non-strict:
 * - `[Section]` headers: the name runs from the first `[` to the last `]` of the line
 *   (trailing spaces ignored). A repeated section name in one file merges into the first
 *   section; a repeated option replaces the earlier value but keeps its position.
 * - `key = value` or `key: value`: split at the first `=` or `:`; key lowercased and
 *   right-trimmed (`log 1 fail  = ...` is `log 1 fail`); value trimmed at both ends, so
 *   `=` and `:` later in the value are kept, and so is everything after a ` ;` or ` #`
 *   (no inline comments: sudo logs contain ` ; `). `decoder =` gives the empty string.
 * - Whole-line comments: first non-blank character `#` or `;`. Blank lines are ignored.
 * - A line indented deeper than the option line before it continues that value (joined
 *   with `\n`). A non-indented line is a new option — e.g. the second half of a wrapped
 *   log line becomes a junk option, which the runner ignores (and so do we).
 * - Options in a `[DEFAULT]` section apply to every section.
 */
import { RulesetError } from './errors';

export interface IniOption {
  /** Lowercased, right-trimmed key. */
  name: string;
  value: string;
  /** 1-based line of the option line that set the current value. */
  line: number;
}

export interface IniSection {
  name: string;
  /** 1-based line of the section's first header. */
  line: number;
  /** Options in first-definition order. */
  options: IniOption[];
}

export interface IniTestCase {
  file: string;
  section: string;
  /** Option name, e.g. `log 1 pass`. */
  name: string;
  kind: 'pass' | 'fail';
  /** The log line exactly as the runner feeds it (trimmed value). */
  log: string;
  /** Expected rule id (`rule =`), or null when the section has none. */
  rule: string | null;
  /** Expected alert level (`alert =`), or null when the section has none. */
  level: number | null;
  /** Expected decoder name (`decoder =`); '' means none expected; null when absent. */
  decoder: string | null;
  /** 1-based line of the `log ...` entry. */
  line: number;
}

interface MutableSection {
  name: string;
  line: number;
  options: Map<string, IniOption>;
}

function isBlank(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

/**
 * Parse an INI text into sections (Python configparser semantics, see module comment).
 * `repeatedKeys: 'join'` reads as Wazuh's runner does (configparser over a dict that extends
 * a repeated option's list): a repeated option adds its value as a new line of the first.
 */
export function parseIni(text: string, file: string, opts: { repeatedKeys?: 'replace' | 'join' } = {}): IniSection[] {
  const join = opts.repeatedKeys === 'join';
  const sections = new Map<string, MutableSection>();
  let defaults: MutableSection | null = null;
  let cur: MutableSection | null = null;
  let opt: IniOption | null = null; // option a continuation line would extend
  let pendingBlank = 0; // blank lines seen inside a (possibly) multi-line value
  let indentLevel = 0;

  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    let raw = lines[i];
    if (raw.endsWith('\r')) raw = raw.slice(0, -1);
    if (i === 0 && raw.charCodeAt(0) === 0xfeff) raw = raw.slice(1);
    const value = raw.trim();
    if (value === '') {
      if (opt) pendingBlank++;
      continue;
    }
    if (value[0] === '#' || value[0] === ';') continue;

    let indent = 0;
    while (indent < raw.length && isBlank(raw.charCodeAt(indent))) indent++;
    if (cur && opt && indent > indentLevel) {
      opt.value += '\n'.repeat(pendingBlank + 1) + value;
      pendingBlank = 0;
      continue;
    }
    pendingBlank = 0;
    indentLevel = indent;

    if (value[0] === '[') {
      const close = value.lastIndexOf(']');
      if (close > 1) {
        const name = value.slice(1, close);
        if (name === 'DEFAULT') {
          defaults ??= { name, line: lineNo, options: new Map() };
          cur = defaults;
        } else {
          let s = sections.get(name);
          if (!s) {
            s = { name, line: lineNo, options: new Map() };
            sections.set(name, s);
          }
          cur = s;
        }
        opt = null;
        continue;
      }
    }
    if (!cur) {
      throw new RulesetError(file, lineNo, '', `entry before any [section]: ${JSON.stringify(value)}`);
    }
    const eq = value.indexOf('=');
    const colon = value.indexOf(':');
    const d = eq < 0 ? colon : colon < 0 ? eq : Math.min(eq, colon);
    const key = d < 0 ? '' : value.slice(0, d).trimEnd().toLowerCase();
    if (key === '') {
      throw new RulesetError(file, lineNo, '', `cannot parse line (expected [section] or key = value): ${JSON.stringify(value)}`);
    }
    const optValue = value.slice(d + 1).trim();
    const existing = cur.options.get(key);
    if (existing && join) {
      existing.value += `\n${optValue}`;
      opt = existing;
    } else if (existing) {
      existing.value = optValue;
      existing.line = lineNo;
      opt = existing;
    } else {
      opt = { name: key, value: optValue, line: lineNo };
      cur.options.set(key, opt);
    }
  }

  const out: IniSection[] = [];
  for (const s of sections.values()) {
    const options: IniOption[] = [];
    if (defaults) {
      for (const o of defaults.options.values()) if (!s.options.has(o.name)) options.push({ ...o });
    }
    for (const o of s.options.values()) options.push({ ...o });
    out.push({ name: s.name, line: s.line, options });
  }
  return out;
}

/** Parse an OSSEC rule unit-test .ini file into its test cases, in runner order. */
export function parseIniTests(text: string, file: string): IniTestCase[] {
  const cases: IniTestCase[] = [];
  for (const section of parseIni(text, file)) {
    let rule: string | null = null;
    let level: number | null = null;
    let decoder: string | null = null;
    for (const o of section.options) {
      if (o.name === 'rule') rule = o.value;
      else if (o.name === 'decoder') decoder = o.value;
      else if (o.name === 'alert') {
        if (!/^[0-9]+$/.test(o.value)) {
          throw new RulesetError(file, o.line, '', `[${section.name}]: alert must be a level number, found ${JSON.stringify(o.value)}`);
        }
        level = parseInt(o.value, 10);
      }
    }
    for (const o of section.options) {
      if (!o.name.startsWith('log ')) continue;
      cases.push({
        file,
        section: section.name,
        name: o.name,
        kind: o.name.endsWith('fail') ? 'fail' : 'pass',
        log: o.value,
        rule,
        level,
        decoder,
        line: o.line,
      });
    }
  }
  return cases;
}

/**
 * One case as Wazuh's runner (`ruleset/testing/runtests.py`) runs it: every `log N pass|fail`
 * option is one `wazuh-logtest -U rule:alert:decoder` session; repeated keys have made it
 * several lines, and only the last line's result counts.
 */
export interface WazuhIniCase {
  file: string;
  section: string;
  name: string;
  kind: 'pass' | 'fail';
  /** The session's lines, in order (empty ones dropped, as wazuh-logtest skips them). */
  lines: string[];
  /** Expected rule id, level and decoder exactly as written ('' when empty). */
  rule: string;
  alert: string;
  decoder: string;
  line: number;
}

/** Parse a Wazuh rule test .ini file into runner cases. */
export function parseWazuhIniTests(text: string, file: string): WazuhIniCase[] {
  const cases: WazuhIniCase[] = [];
  for (const section of parseIni(text, file, { repeatedKeys: 'join' })) {
    const get = (key: string): string => {
      const o = section.options.find((x) => x.name === key);
      // runtests.py reads all three unconditionally and stops on a missing one.
      if (!o) throw new RulesetError(file, section.line, '', `[${section.name}]: no '${key}' option`);
      return o.value;
    };
    const rule = get('rule');
    const alert = get('alert');
    const decoder = get('decoder');
    for (const o of section.options) {
      if (!o.name.startsWith('log ')) continue;
      cases.push({
        file, section: section.name, name: o.name, kind: o.name.endsWith('fail') ? 'fail' : 'pass',
        lines: o.value.split('\n').filter((l) => l !== ''), rule, alert, decoder, line: o.line,
      });
    }
  }
  return cases;
}

/**
 * wazuh-logtest -U's verdict: the last line's [rule id, level, decoder] ('' for none) equal
 * to the expected triple gives exit code = how many expected fields are empty, else 1; the
 * runner wants 0 for `pass` and anything else for `fail`. So an empty `alert =` can never pass
 * a `pass` case and always passes a `fail` case.
 */
export function wazuhCaseOk(c: WazuhIniCase, got: { rule: string; alert: string; decoder: string }): boolean {
  const expected = [c.rule, c.alert, c.decoder];
  const same = expected[0] === got.rule && expected[1] === got.alert && expected[2] === got.decoder;
  const exitCode = same ? expected.filter((v) => v === '').length : 1;
  return c.kind === 'pass' ? exitCode === 0 : exitCode !== 0;
}
