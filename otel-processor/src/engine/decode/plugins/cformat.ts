/**
 * C-compatible text helpers shared by the plugin decoders: printf-style number formatting
 * (`%i`, `%f`, `%.Ng` with exact round-half-even on the binary value, as glibc prints them) and
 * byte-length aware truncation (OSSEC buffers count UTF-8 bytes, not UTF-16 units).
 */

const INT_MAX = 2147483647;
const INT_MIN = -2147483648;

/** cJSON's `valueint`: the double saturated to the C `int` range, truncated toward zero. */
export function cjsonValueInt(d: number): number {
  if (Number.isNaN(d)) return 0;
  if (d >= INT_MAX) return INT_MAX;
  if (d <= INT_MIN) return INT_MIN;
  return Math.trunc(d);
}

const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);

/** |x| = mant * 2^exp exactly (x finite). */
function decompose(x: number): { mant: bigint; exp: number } {
  f64[0] = x;
  const bits = u64[0];
  const e = Number((bits >> 52n) & 0x7ffn);
  const f = bits & 0xfffffffffffffn;
  if (e === 0) return { mant: f, exp: -1074 };
  return { mant: f | 0x10000000000000n, exp: e - 1075 };
}

/** |x| = n / 10^k exactly. */
function exactScaled(x: number): { n: bigint; k: number } {
  const { mant, exp } = decompose(x);
  if (exp >= 0) return { n: mant << BigInt(exp), k: 0 };
  return { n: mant * 5n ** BigInt(-exp), k: -exp };
}

/** Integer division of n by 10^drop rounded half-to-even (glibc's default rounding). */
function roundDiv(n: bigint, drop: number): bigint {
  if (drop <= 0) return n * 10n ** BigInt(-drop);
  const p = 10n ** BigInt(drop);
  let q = n / p;
  const r2 = (n % p) * 2n;
  if (r2 > p || (r2 === p && (q & 1n) === 1n)) q += 1n;
  return q;
}

function nonFinite(x: number): string {
  if (Number.isNaN(x)) return x < 0 ? '-nan' : 'nan';
  return x < 0 ? '-inf' : 'inf';
}

/** C `printf("%.<prec>f", x)`. */
export function formatFixed(x: number, prec = 6): string {
  if (!Number.isFinite(x)) return nonFinite(x);
  const neg = x < 0 || Object.is(x, -0);
  const { n, k } = exactScaled(Math.abs(x));
  const q = roundDiv(n, k - prec);
  let s = q.toString();
  if (prec > 0) {
    if (s.length <= prec) s = '0'.repeat(prec - s.length + 1) + s;
    s = s.slice(0, s.length - prec) + '.' + s.slice(s.length - prec);
  }
  return (neg ? '-' : '') + s;
}

/** C `printf("%.<prec>g", x)` (no `#` flag: trailing zeros removed). */
export function formatGeneral(x: number, prec: number): string {
  if (!Number.isFinite(x)) return nonFinite(x);
  if (prec === 0) prec = 1;
  const neg = x < 0 || Object.is(x, -0);
  const sign = neg ? '-' : '';
  if (x === 0) return sign + '0';
  const { n, k } = exactScaled(Math.abs(x));
  const len = n.toString().length;
  let e10 = len - 1 - k;
  let q = roundDiv(n, len - prec);
  if (q.toString().length > prec) {
    q /= 10n;
    e10 += 1;
  }
  const digits = q.toString(); // exactly `prec` digits
  if (e10 < -4 || e10 >= prec) {
    let mant = digits[0];
    const rest = digits.slice(1).replace(/0+$/, '');
    if (rest) mant += '.' + rest;
    const ae = Math.abs(e10);
    return `${sign}${mant}e${e10 < 0 ? '-' : '+'}${ae < 10 ? '0' : ''}${ae}`;
  }
  let s: string;
  if (e10 >= 0) {
    s = digits.slice(0, e10 + 1);
    const frac = digits.slice(e10 + 1).replace(/0+$/, '');
    if (frac) s += '.' + frac;
  } else {
    const frac = ('0'.repeat(-e10 - 1) + digits).replace(/0+$/, '');
    s = '0.' + frac;
  }
  return sign + s;
}

/**
 * How Wazuh's JSON decoder prints a number: `%i` of cJSON's valueint when it equals the value,
 * otherwise `%f` into a 64-byte buffer (so at most 63 characters survive).
 */
export function wazuhNumber(d: number): string {
  const vi = cjsonValueInt(d);
  if (vi === d) return String(vi);
  const s = formatFixed(d, 6);
  return s.length > 63 ? s.slice(0, 63) : s;
}

/** How cJSON_Print prints a number. */
export function cjsonPrintNumber(d: number): string {
  if (!Number.isFinite(d)) return 'null';
  const vi = cjsonValueInt(d);
  if (vi === d) return String(vi);
  const s15 = formatGeneral(d, 15);
  const back = Number(s15);
  const maxVal = Math.max(Math.abs(back), Math.abs(d));
  if (Math.abs(back - d) <= maxVal * Number.EPSILON) return s15;
  return formatGeneral(d, 17);
}

/** Number of bytes `s` takes in UTF-8 (lone surrogates count 3, as WTF-8). */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}

/** Longest prefix of `s` whose UTF-8 form fits in `maxBytes` (never splits a character). */
export function truncateUtf8(s: string, maxBytes: number): string {
  if (s.length * 3 <= maxBytes) return s;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let w: number;
    let units = 1;
    if (c < 0x80) w = 1;
    else if (c < 0x800) w = 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && s.charCodeAt(i + 1) >= 0xdc00 && s.charCodeAt(i + 1) <= 0xdfff) {
      w = 4;
      units = 2;
    } else w = 3;
    if (n + w > maxBytes) return s.slice(0, i);
    n += w;
    i += units - 1;
  }
  return s;
}
