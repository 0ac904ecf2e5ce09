/**
 * The one error type of the ruleset layer (XML reader, ossec.conf reader, .ini test
 * reader, rule and decoder compilers). It always says where: file, 1-based line, and the
 * element (XML element name, or any short label a caller finds useful; may be empty).
 *
 * Rendered as `file:line: <element>: detail`, e.g.
 * `rules/sshd_rules.xml:42: <rule>: closing tag </group> does not match <rule> opened at line 40`.
 * An empty element drops the `<element>: ` part; a line <= 0 (unknown) drops `line:`.
 */
export class RulesetError extends Error {
  /** File name as given by the caller (usually a path relative to the ruleset root). */
  readonly file: string;
  /** 1-based line; 0 when unknown. */
  readonly line: number;
  /** Element name without angle brackets, or '' when none applies. */
  readonly element: string;
  /** The problem itself, without the location prefix. */
  readonly detail: string;

  constructor(file: string, line: number, element: string, detail: string) {
    super(formatRulesetError(file, line, element, detail));
    this.name = 'RulesetError';
    this.file = file;
    this.line = line;
    this.element = element;
    this.detail = detail;
  }

  override toString(): string {
    return this.message;
  }
}

/** The `file:line: <element>: detail` form used by {@link RulesetError}. */
export function formatRulesetError(file: string, line: number, element: string, detail: string): string {
  let s = file;
  if (line > 0) s += `:${line}`;
  s += ': ';
  if (element) s += `<${element}>: `;
  return s + detail;
}
