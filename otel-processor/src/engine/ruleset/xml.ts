/**
 * A small XML reader for OSSEC rule, decoder and configuration files, as lenient as
 * OSSEC's own os_xml (src/os_xml/os_xml.c, os_xml_variables.c) and with the same
 * text semantics. Behaviour of os_xml that this reader reproduces:
 *
 * - A file is a sequence of top-level elements (no single root needed).
 * - Element text is kept raw: no entity decoding (`&lt;` stays `&lt;`; os_xml has no
 *   entity support at all), no trimming; whitespace and newlines are part of the value.
 * - `\<` inside text is a literal `<` that does not open a tag; the backslash is kept
 *   (the text `\<` stays `\<`, the pattern compilers turn it into `<`). Any `<` whose
 *   previous text character is `\` counts as escaped (so `\\<` too), except that `<!`
 *   always starts a comment, as in os_xml.
 * - Comments start at `<!` and end at the first `-->` or `!>`; they may appear between
 *   elements and inside text (they are cut out of the text).
 * - An `<?xml ...?>` declaration is skipped (accepted anywhere between top-level elements).
 * - Attribute values are quoted with `"` or `'`, may span lines, are raw (no entities),
 *   and may not contain `>` (os_xml rejects that; it usually means a missing quote).
 *   Duplicate attributes are an error.
 * - `<var name="X">value</var>` defines a variable; `$X` in the text and attribute values
 *   of every element that comes after the definition in document order is replaced
 *   (os_xml `OS_ApplyVariables`, 2.9+ behaviour):
 *     - a name runs from after `$` up to the next `$`, `.`, `|`, `,`, space or the end of
 *       the string (newline, tab, `)` etc. do NOT end it);
 *     - names match case-insensitively; the first definition of a name wins;
 *     - a lone `$` (empty name) is left as is; a non-empty unknown name is an error, even
 *       when the file defines no variables at all;
 *     - values of 2 characters or fewer are never scanned;
 *     - the replacement is not rescanned, and a `<var>`'s own value is not substituted;
 *     - the first attribute of `<var>` must be `name`; a name is at most 255 characters.
 *   OSSEC applies variables to rule and decoder files, not to ossec.conf
 *   (see {@link XmlParseOptions.variables}).
 *
 * - Non-whitespace text between top-level elements is ignored by os_xml, and the stock
 *   OSSEC 4.2.0 decoder.xml relies on it (a comment that "nests" another comment leaves
 *   sample log lines outside any element). By default such text is ignored and reported in
 *   {@link XmlDocument.warnings}; `strayText: 'error'` makes it a {@link RulesetError}.
 *   As in os_xml, a `\<` in that text does not open a tag.
 *
 * Differences on purpose: os_xml keeps only the text after an element's last child; this
 * reader keeps all of an element's direct text (concatenated). os_xml's 2048-byte limit on
 * a text is not enforced. Closing tags may carry trailing whitespace.
 */
import { RulesetError } from './errors';

export interface XmlElement {
  /** Element name exactly as written (case-sensitive). */
  name: string;
  /** Attribute values, raw, in source order (after variable substitution). */
  attributes: Record<string, string>;
  /** All direct text of the element, raw (comments removed, variables substituted). */
  text: string;
  children: XmlElement[];
  /** 1-based line and column of the element's `<`. */
  line: number;
  column: number;
  /** File name as given to the parser. */
  file: string;
}

/** A `<var>` definition, in document order. */
export interface XmlVariable {
  name: string;
  value: string;
  line: number;
}

export interface XmlDocument {
  file: string;
  /** Top-level elements in order (including `<var>` elements). */
  elements: XmlElement[];
  /** Variables defined in the file (all of them, also when `variables` is false). */
  variables: XmlVariable[];
  /** Problems os_xml tolerates (stray text outside elements); never thrown. */
  warnings: RulesetError[];
}

export interface XmlParseOptions {
  /** Apply `<var>` / `$NAME` substitution (default true, as for rule and decoder files). */
  variables?: boolean;
  /**
   * Non-whitespace text outside any element: 'warn' (default, os_xml ignores it) records a
   * warning and goes on; 'error' throws.
   */
  strayText?: 'warn' | 'error';
  /**
   * 'wazuh' reads as Wazuh's os_xml does: `\\` is an escaped backslash (so `\\<` opens a
   * tag), and a `$NAME` the file does not define is left as text. Default 'ossec'.
   */
  dialect?: 'ossec' | 'wazuh';
}

/** Parse an OSSEC XML file's text. Throws {@link RulesetError} on malformed input. */
export function parseXml(text: string, file: string, options?: XmlParseOptions): XmlElement[] {
  return parseXmlDocument(text, file, options).elements;
}

/** Like {@link parseXml}, also returning the variables the file defines. */
export function parseXmlDocument(text: string, file: string, options: XmlParseOptions = {}): XmlDocument {
  const wazuh = options.dialect === 'wazuh';
  const reader = new XmlReader(text, file, options.strayText === 'error', wazuh);
  const elements = reader.read();
  const variables: XmlVariable[] = [];
  applyVariables(elements, file, variables, options.variables !== false, wazuh);
  return { file, elements, variables, warnings: reader.warnings };
}

// ---------------------------------------------------------------------------------------

const LT = 0x3c; // <
const GT = 0x3e; // >
const SLASH = 0x2f;
const BANG = 0x21;
const QMARK = 0x3f;
const EQ = 0x3d;
const DQUOTE = 0x22;
const SQUOTE = 0x27;
const BACKSLASH = 0x5c;

/** C isspace() in the C locale. */
function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

interface Frame {
  el: XmlElement;
  parts: string[];
}

function newElement(name: string, file: string, line: number, column: number): XmlElement {
  return { name, attributes: {}, text: '', children: [], line, column, file };
}

function setAttribute(attrs: Record<string, string>, name: string, value: string): void {
  if (name === '__proto__') {
    Object.defineProperty(attrs, name, { value, enumerable: true, writable: true, configurable: true });
  } else {
    attrs[name] = value;
  }
}

function hasAttribute(attrs: Record<string, string>, name: string): boolean {
  return Object.prototype.hasOwnProperty.call(attrs, name);
}

function preview(s: string): string {
  const oneLine = s.replace(/\s+/g, ' ').trim();
  return JSON.stringify(oneLine.length > 40 ? `${oneLine.slice(0, 40)}...` : oneLine);
}

class XmlReader {
  private readonly src: string;
  private readonly n: number;
  private newlines: number[] | null = null;
  private readonly roots: XmlElement[] = [];
  private readonly stack: Frame[] = [];
  /** Last top-level element closed, for error messages about stray text. */
  private lastTop: XmlElement | null = null;
  readonly warnings: RulesetError[] = [];

  constructor(text: string, private readonly file: string, private readonly strict: boolean, private readonly wazuh: boolean) {
    this.src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
    this.n = this.src.length;
  }

  read(): XmlElement[] {
    const { src, n, stack } = this;
    let pos = 0;
    while (pos < n) {
      const lt = src.indexOf('<', pos);
      const end = lt < 0 ? n : lt;
      const top = stack.length > 0 ? stack[stack.length - 1] : null;
      if (top !== null) {
        if (end > pos) top.parts.push(src.slice(pos, end));
        if (lt < 0) break;
        if (src.charCodeAt(lt + 1) !== BANG && escapesNextChar(top.parts, this.wazuh)) {
          // `\<`: a literal '<' in the text (backslash kept).
          top.parts.push('<');
          pos = lt + 1;
          continue;
        }
      } else {
        if (end > pos && this.checkOutsideText(pos, end) && lt >= 0
            && src.charCodeAt(lt - 1) === BACKSLASH && src.charCodeAt(lt + 1) !== BANG) {
          // os_xml: `\<` in ignored top-level text does not open a tag either.
          pos = lt + 1;
          continue;
        }
        if (lt < 0) break;
      }
      const c1 = src.charCodeAt(lt + 1);
      if (c1 === BANG) pos = this.skipComment(lt, top);
      else if (c1 === QMARK) pos = this.skipDeclaration(lt, top);
      else if (c1 === SLASH) pos = this.closeTag(lt);
      else pos = this.openTag(lt, top);
    }
    if (stack.length > 0) {
      const el = stack[stack.length - 1].el;
      throw new RulesetError(this.file, el.line, el.name,
        `element <${el.name}> opened at line ${el.line} is not closed (end of file reached)`);
    }
    return this.roots;
  }

  // ---- positions

  private lineCol(pos: number): { line: number; column: number } {
    let nl = this.newlines;
    if (nl === null) {
      nl = [];
      for (let i = this.src.indexOf('\n'); i >= 0; i = this.src.indexOf('\n', i + 1)) nl.push(i);
      this.newlines = nl;
    }
    // number of newlines strictly before pos
    let lo = 0;
    let hi = nl.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (nl[mid] < pos) lo = mid + 1;
      else hi = mid;
    }
    const lineStart = lo === 0 ? 0 : nl[lo - 1] + 1;
    return { line: lo + 1, column: pos - lineStart + 1 };
  }

  private lineOf(pos: number): number {
    return this.lineCol(pos).line;
  }

  private fail(pos: number, element: string, detail: string): never {
    throw new RulesetError(this.file, this.lineOf(pos), element, detail);
  }

  // ---- pieces

  /** Returns true when the text is not all whitespace (and was reported). */
  private checkOutsideText(from: number, to: number): boolean {
    const { src } = this;
    for (let i = from; i < to; i++) {
      if (!isSpace(src.charCodeAt(i))) {
        const after = this.lastTop ? ` (after </${this.lastTop.name}>)` : '';
        const err = new RulesetError(this.file, this.lineOf(i), '',
          `text outside of any element${after}: ${preview(src.slice(i, to))}`);
        if (this.strict) throw err;
        this.warnings.push(err);
        return true;
      }
    }
    return false;
  }

  private skipComment(lt: number, top: Frame | null): number {
    const { src } = this;
    const a = src.indexOf('-->', lt + 2);
    const b = src.indexOf('!>', lt + 2);
    if (a < 0 && b < 0) {
      this.fail(lt, top ? top.el.name : '', 'comment is not closed (no --> before end of file)');
    }
    if (a >= 0 && (b < 0 || a < b)) return a + 3;
    return b + 2;
  }

  private skipDeclaration(lt: number, top: Frame | null): number {
    if (top !== null) {
      this.fail(lt, top.el.name, "unexpected '<?' inside an element (write \\< for a literal '<')");
    }
    const end = this.src.indexOf('?>', lt + 2);
    if (end < 0) this.fail(lt, '', 'XML declaration <? is not closed (no ?>)');
    return end + 2;
  }

  private closeTag(lt: number): number {
    const { src, stack } = this;
    const gt = src.indexOf('>', lt + 2);
    const lt2 = src.indexOf('<', lt + 2);
    if (gt < 0 || (lt2 >= 0 && lt2 < gt)) {
      const stop = gt < 0 ? (lt2 < 0 ? this.n : lt2) : lt2;
      const partial = src.slice(lt + 2, stop).trim();
      this.fail(lt, stack.length > 0 ? stack[stack.length - 1].el.name : partial,
        `closing tag </${partial} is not terminated by '>'`);
    }
    const name = src.slice(lt + 2, gt).replace(/[ \t\n\r\f\v]+$/, '');
    if (stack.length === 0) {
      this.fail(lt, name, `closing tag </${name}> has no matching opening tag`);
    }
    const frame = stack.pop() as Frame;
    const el = frame.el;
    if (el.name !== name) {
      this.fail(lt, el.name,
        `closing tag </${name}> does not match <${el.name}> opened at line ${el.line}`);
    }
    const parts = frame.parts;
    el.text = parts.length === 0 ? '' : parts.length === 1 ? parts[0] : parts.join('');
    if (stack.length === 0) this.lastTop = el;
    return gt + 1;
  }

  private openTag(lt: number, top: Frame | null): number {
    const { src, n } = this;
    let p = lt + 1;
    // name: up to whitespace, '>' or '/>'
    while (p < n) {
      const c = src.charCodeAt(p);
      if (isSpace(c) || c === GT || (c === SLASH && src.charCodeAt(p + 1) === GT)) break;
      if (c === LT) {
        this.fail(lt, src.slice(lt + 1, p), `tag <${src.slice(lt + 1, p)} is not terminated by '>'`);
      }
      p++;
    }
    const name = src.slice(lt + 1, p);
    if (p >= n) this.fail(lt, name, `tag <${name} is not terminated by '>' (end of file reached)`);
    if (name.length === 0) {
      this.fail(lt, top ? top.el.name : '', "empty element name after '<' (write \\< for a literal '<')");
    }
    const { line, column } = this.lineCol(lt);
    const el = newElement(name, this.file, line, column);
    const attrs = el.attributes;
    let selfClosing = false;
    for (;;) {
      while (p < n && isSpace(src.charCodeAt(p))) p++;
      if (p >= n) this.fail(lt, name, `tag <${name}> is not terminated by '>' (end of file reached)`);
      let c = src.charCodeAt(p);
      if (c === GT) {
        p++;
        break;
      }
      if (c === SLASH) {
        if (src.charCodeAt(p + 1) !== GT) this.fail(p, name, "expected '>' after '/' in tag");
        p += 2;
        selfClosing = true;
        break;
      }
      const aStart = p;
      while (p < n) {
        c = src.charCodeAt(p);
        if (c === EQ || isSpace(c) || c === GT || c === SLASH || c === LT || c === DQUOTE || c === SQUOTE) break;
        p++;
      }
      const aName = src.slice(aStart, p);
      if (aName.length === 0) {
        this.fail(p, name, `unexpected character '${src[p]}' in tag <${name}>`);
      }
      while (p < n && isSpace(src.charCodeAt(p))) p++;
      if (src.charCodeAt(p) !== EQ) this.fail(aStart, name, `attribute '${aName}' has no value`);
      p++;
      while (p < n && isSpace(src.charCodeAt(p))) p++;
      const q = src.charCodeAt(p);
      if (q !== DQUOTE && q !== SQUOTE) {
        this.fail(aStart, name, `value of attribute '${aName}' is not quoted with " or '`);
      }
      const close = src.indexOf(q === DQUOTE ? '"' : "'", p + 1);
      const gt = src.indexOf('>', p + 1);
      if (gt >= 0 && (close < 0 || gt < close)) {
        // os_xml rejects '>' in attribute values; usually a closing quote is missing
        this.fail(aStart, name, `value of attribute '${aName}' contains '>' (missing closing quote?)`);
      }
      if (close < 0) this.fail(aStart, name, `value of attribute '${aName}' is not terminated`);
      const value = src.slice(p + 1, close);
      if (hasAttribute(attrs, aName)) this.fail(aStart, name, `duplicate attribute '${aName}'`);
      setAttribute(attrs, aName, value);
      p = close + 1;
      if (p < n) {
        c = src.charCodeAt(p);
        if (!isSpace(c) && c !== GT && c !== SLASH) {
          this.fail(p, name, `expected whitespace, '>' or '/>' after attribute '${aName}'`);
        }
      }
    }
    if (top !== null) top.el.children.push(el);
    else this.roots.push(el);
    if (selfClosing) {
      if (top === null) this.lastTop = el;
    } else {
      this.stack.push({ el, parts: [] });
    }
    return p;
  }
}

/**
 * Whether the text so far escapes a following `<`: OSSEC looks at the last character only;
 * Wazuh pairs backslashes, so only an odd run of them escapes (`E:\\</field>` closes).
 */
function escapesNextChar(parts: string[], wazuh: boolean): boolean {
  let run = 0;
  for (let i = parts.length - 1; i >= 0; i--) {
    const p = parts[i];
    let j = p.length - 1;
    while (j >= 0 && p.charCodeAt(j) === BACKSLASH) j--;
    run += p.length - 1 - j;
    if (!wazuh || j >= 0) break;
  }
  return wazuh ? run % 2 === 1 : run > 0;
}

// ---- variables (os_xml OS_ApplyVariables) ---------------------------------------------

const MAX_VARIABLE_NAME = 255;

/** Characters that end a variable name after `$`. */
function endsVariableName(c: number): boolean {
  return c === 0x24 /* $ */ || c === 0x2e /* . */ || c === 0x7c /* | */ || c === 0x2c /* , */ || c === 0x20;
}

function isVariableStart(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;
}

function applyVariables(roots: XmlElement[], file: string, out: XmlVariable[], substitute: boolean, keepUnknown: boolean): void {
  const values = new Map<string, string>();

  const expand = (s: string, el: XmlElement, where: string): string => {
    if (s.length <= 2) return s;
    let d = s.indexOf('$');
    if (d < 0) return s;
    let result = '';
    let last = 0;
    while (d >= 0) {
      let j = d + 1;
      // `$(field)` is Wazuh's description placeholder and `$)`, `$\` etc. are regex text: not variables.
      if (!isVariableStart(s.charCodeAt(j))) {
        d = s.indexOf('$', j);
        continue;
      }
      while (j < s.length && !endsVariableName(s.charCodeAt(j))) j++;
      if (j > d + 1) {
        const name = s.slice(d + 1, j);
        if (name.length > MAX_VARIABLE_NAME) {
          throw new RulesetError(file, el.line, el.name,
            `variable name after '$' in ${where} is longer than ${MAX_VARIABLE_NAME} characters`);
        }
        const value = values.get(name.toLowerCase());
        if (value === undefined && keepUnknown) {
          // Wazuh: only variables the file defines are replaced (`$true` in a regex stays text).
          d = s.indexOf('$', j);
          continue;
        }
        if (value === undefined) {
          throw new RulesetError(file, el.line, el.name,
            `unknown variable $${name} in ${where} (defined variables must come before their use)`);
        }
        result += s.slice(last, d) + value;
        last = j;
      }
      d = s.indexOf('$', j);
    }
    return result + s.slice(last);
  };

  const walk = (el: XmlElement): void => {
    if (el.name.length === 3 && el.name.toLowerCase() === 'var') {
      const keys = Object.keys(el.attributes);
      if (keys.length === 0) {
        throw new RulesetError(file, el.line, el.name, 'variable has no name attribute');
      }
      if (keys[0].toLowerCase() !== 'name') {
        throw new RulesetError(file, el.line, el.name,
          `only "name" is allowed as an attribute of a variable (found '${keys[0]}')`);
      }
      const name = el.attributes[keys[0]];
      if (name.length > MAX_VARIABLE_NAME) {
        throw new RulesetError(file, el.line, el.name,
          `variable name is longer than ${MAX_VARIABLE_NAME} characters`);
      }
      const key = name.toLowerCase();
      if (!values.has(key)) values.set(key, el.text);
      out.push({ name, value: el.text, line: el.line });
    } else if (substitute) {
      el.text = expand(el.text, el, 'text');
      for (const k of Object.keys(el.attributes)) {
        const v = el.attributes[k];
        const nv = expand(v, el, `attribute '${k}'`);
        if (nv !== v) setAttribute(el.attributes, k, nv);
      }
    }
    for (const child of el.children) walk(child);
  };

  for (const el of roots) walk(el);
}
