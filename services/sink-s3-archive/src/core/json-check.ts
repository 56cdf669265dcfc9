/**
 * A JSON syntax check on bytes (RFC 8259 / ECMA-404, the grammar `JSON.parse` accepts), without
 * decoding to a string or building the value. The archive copies a valid value into its line
 * byte for byte, so it only needs to know *whether* the value is JSON; `JSON.parse` on the
 * decoded text cost more than the rest of the line together and left garbage behind.
 *
 * UTF-8 validity is not checked here (the caller does that natively with `isUtf8`): bytes of
 * 0x80 and above are accepted inside strings, and nowhere else. Nesting depth is unlimited, as
 * with V8's iterative `JSON.parse`.
 */

const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const QUOTE = 0x22;
const PLUS = 0x2b;
const COMMA = 0x2c;
const MINUS = 0x2d;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;
const COLON = 0x3a;
const OPEN_ARRAY = 0x5b;
const BACKSLASH = 0x5c;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;

const IN_ARRAY = 1;
const IN_OBJECT = 2;

/** The byte after the escape character: `"\/bfnrt` and `u`. */
const simpleEscape = new Uint8Array(256);
for (const c of '"\\/bfnrt') simpleEscape[c.charCodeAt(0)] = 1;
const hexDigit = new Uint8Array(256);
for (const c of '0123456789abcdefABCDEF') hexDigit[c.charCodeAt(0)] = 1;

/** Bytes that stand for themselves inside a string: not `"`, `\`, or a control character. */
const plain = new Uint8Array(256);
for (let b = 0x20; b < 256; b++) plain[b] = b === QUOTE || b === BACKSLASH ? 0 : 1;

const isDigit = (b: number | undefined): boolean => b !== undefined && b >= ZERO && b <= NINE;

// Each scanner takes the position where its token starts and returns the position after it, or
// -1 when the bytes there are not that token. No closures: this runs once per archived record.

function skipSpace(bytes: Uint8Array, i: number, end: number): number {
  while (i < end) {
    const b = bytes[i];
    if (b !== SPACE && b !== TAB && b !== LF && b !== CR) break;
    i++;
  }
  return i;
}

/** A string; i is at its opening quote. */
function scanString(bytes: Uint8Array, i: number, end: number): number {
  i++;
  while (i < end) {
    // Most of a value is string content: one table look-up per byte.
    while (i < end && plain[bytes[i] ?? 0] === 1) i++;
    if (i >= end) return -1;
    const b = bytes[i];
    if (b === QUOTE) return i + 1;
    if (b !== BACKSLASH || i + 1 >= end) return -1;
    const escaped = bytes[i + 1] ?? 0;
    if (escaped === 0x75) {
      if (i + 6 > end) return -1;
      for (let k = i + 2; k < i + 6; k++) if (hexDigit[bytes[k] ?? 0] !== 1) return -1;
      i += 6;
    } else if (simpleEscape[escaped] === 1) {
      i += 2;
    } else {
      return -1;
    }
  }
  return -1;
}

function scanDigits(bytes: Uint8Array, i: number, end: number): number {
  if (i >= end || !isDigit(bytes[i])) return -1;
  while (i < end && isDigit(bytes[i])) i++;
  return i;
}

/** A number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
function scanNumber(bytes: Uint8Array, i: number, end: number): number {
  if (bytes[i] === MINUS) i++;
  if (i < end && bytes[i] === ZERO) i++;
  else if ((i = scanDigits(bytes, i, end)) < 0) return -1;
  if (i < end && bytes[i] === DOT && (i = scanDigits(bytes, i + 1, end)) < 0) return -1;
  if (i < end && (bytes[i] === 0x65 || bytes[i] === 0x45)) {
    i++;
    if (i < end && (bytes[i] === PLUS || bytes[i] === MINUS)) i++;
    if ((i = scanDigits(bytes, i, end)) < 0) return -1;
  }
  return i;
}

function scanLiteral(bytes: Uint8Array, i: number, end: number, word: string): number {
  if (i + word.length > end) return -1;
  for (let k = 0; k < word.length; k++) if (bytes[i + k] !== word.charCodeAt(k)) return -1;
  return i + word.length;
}

/** An object member's name, whitespace and colon; i is where the name should start. */
function scanMemberName(bytes: Uint8Array, i: number, end: number): number {
  if (i >= end || bytes[i] !== QUOTE || (i = scanString(bytes, i, end)) < 0) return -1;
  i = skipSpace(bytes, i, end);
  return i < end && bytes[i] === COLON ? i + 1 : -1;
}

/** A scalar value (string, number, true, false, null) starting at i. */
function scanScalar(bytes: Uint8Array, i: number, end: number): number {
  const b = bytes[i];
  if (b === QUOTE) return scanString(bytes, i, end);
  if (b === MINUS || isDigit(b)) return scanNumber(bytes, i, end);
  if (b === 0x74) return scanLiteral(bytes, i, end, 'true');
  if (b === 0x66) return scanLiteral(bytes, i, end, 'false');
  if (b === 0x6e) return scanLiteral(bytes, i, end, 'null');
  return -1;
}

/** True when `bytes[start, end)` is exactly one JSON text (surrounding whitespace allowed). */
export function isJsonText(bytes: Uint8Array, start = 0, end = bytes.length): boolean {
  end = Math.min(end, bytes.length);
  /** Open containers, innermost last. */
  const stack: number[] = [];
  let i = skipSpace(bytes, start, end);
  for (;;) {
    // A value starts at i, whitespace before it skipped.
    if (i >= end) return false;
    const b = bytes[i];
    if (b === OPEN_OBJECT || b === OPEN_ARRAY) {
      const close = b === OPEN_OBJECT ? CLOSE_OBJECT : CLOSE_ARRAY;
      i = skipSpace(bytes, i + 1, end);
      if (i < end && bytes[i] === close) {
        i++;
      } else {
        stack.push(b === OPEN_OBJECT ? IN_OBJECT : IN_ARRAY);
        if (b === OPEN_OBJECT && (i = scanMemberName(bytes, i, end)) < 0) return false;
        i = skipSpace(bytes, i, end);
        continue;
      }
    } else if ((i = scanScalar(bytes, i, end)) < 0) {
      return false;
    }
    // A value ended: close containers, or go on to the next element.
    for (;;) {
      i = skipSpace(bytes, i, end);
      const top = stack.at(-1);
      if (top === undefined) return i === end;
      if (i >= end) return false;
      const next = bytes[i];
      if (next === COMMA) {
        i = skipSpace(bytes, i + 1, end);
        if (top === IN_OBJECT && (i = scanMemberName(bytes, i, end)) < 0) return false;
        i = skipSpace(bytes, i, end);
        break;
      }
      if (next !== (top === IN_OBJECT ? CLOSE_OBJECT : CLOSE_ARRAY)) return false;
      stack.pop();
      i++;
    }
  }
}
