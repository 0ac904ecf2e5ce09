/**
 * Line diff for `report_changes`: the edit script of the longest common subsequence, printed as
 * unified-diff hunks (`@@ -a,b +c,d @@`, ` `/`-`/`+` lines, 3 lines of context).
 */

/** True when the bytes look like text (no NUL in the first 8 KiB, valid UTF-8). */
export function isText(buf: Buffer): boolean {
  const n = Math.min(buf.length, 8192);
  for (let i = 0; i < n; i++) if (buf[i] === 0) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(buf);
    return true;
  } catch {
    return false;
  }
}

type Op = [' ' | '-' | '+', string];

const splitLines = (s: string): string[] => {
  if (s === '') return [];
  const l = s.split('\n');
  if (l[l.length - 1] === '') l.pop();
  return l;
};

/** Largest table (lines × lines) diffed exactly; bigger edits are shown as whole replacement. */
const MAX_CELLS = 4_000_000;

function editScript(a: string[], b: string[]): Op[] {
  let pre = 0;
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) pre++;
  let suf = 0;
  while (suf < a.length - pre && suf < b.length - pre && a[a.length - 1 - suf] === b[b.length - 1 - suf]) suf++;
  const A = a.slice(pre, a.length - suf);
  const B = b.slice(pre, b.length - suf);
  const ops: Op[] = a.slice(0, pre).map((l) => [' ', l] as Op);
  if ((A.length + 1) * (B.length + 1) > MAX_CELLS) {
    for (const l of A) ops.push(['-', l]);
    for (const l of B) ops.push(['+', l]);
  } else {
    const w = B.length + 1;
    const L = new Uint32Array((A.length + 1) * w);
    for (let i = A.length - 1; i >= 0; i--) {
      for (let j = B.length - 1; j >= 0; j--) {
        L[i * w + j] = A[i] === B[j] ? L[(i + 1) * w + j + 1] + 1 : Math.max(L[(i + 1) * w + j], L[i * w + j + 1]);
      }
    }
    let i = 0;
    let j = 0;
    while (i < A.length && j < B.length) {
      if (A[i] === B[j]) { ops.push([' ', A[i]]); i++; j++; }
      else if (L[(i + 1) * w + j] >= L[i * w + j + 1]) ops.push(['-', A[i++]]);
      else ops.push(['+', B[j++]]);
    }
    while (i < A.length) ops.push(['-', A[i++]]);
    while (j < B.length) ops.push(['+', B[j++]]);
  }
  for (const l of a.slice(a.length - suf)) ops.push([' ', l]);
  return ops;
}

/** Unified diff of two texts (empty string when they are equal), at most `maxChars` long. */
export function unifiedDiff(before: string, after: string, maxChars = 16_384): string {
  const ops = editScript(splitLines(before), splitLines(after));
  const CONTEXT = 3;
  const out: string[] = [];
  let k = 0;
  while (k < ops.length) {
    if (ops[k][0] === ' ') { k++; continue; }
    // a hunk: from CONTEXT lines before the change to CONTEXT lines after the last change near it
    let start = Math.max(0, k - CONTEXT);
    let end = k;
    while (end < ops.length) {
      if (ops[end][0] !== ' ') { end++; continue; }
      let run = 0;
      while (end + run < ops.length && ops[end + run][0] === ' ') run++;
      if (end + run >= ops.length || run > 2 * CONTEXT) { end = Math.min(ops.length, end + CONTEXT); break; }
      end += run;
    }
    // line numbers of the hunk's first line in each text
    let aLine = 1;
    let bLine = 1;
    for (let x = 0; x < start; x++) { if (ops[x][0] !== '+') aLine++; if (ops[x][0] !== '-') bLine++; }
    let aCount = 0;
    let bCount = 0;
    for (let x = start; x < end; x++) { if (ops[x][0] !== '+') aCount++; if (ops[x][0] !== '-') bCount++; }
    out.push(`@@ -${aCount ? aLine : aLine - 1},${aCount} +${bCount ? bLine : bLine - 1},${bCount} @@`);
    for (; start < end; start++) out.push(ops[start][0] + ops[start][1]);
    k = end;
  }
  let text = out.join('\n');
  if (text.length > maxChars) text = `${text.slice(0, maxChars)}\n... (diff truncated)`;
  return text;
}
