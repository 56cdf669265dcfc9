import { describe, expect, it } from 'vitest';
import type { Change } from './change.js';
import { type ChangeEventOptions, buildChangeEvent } from './event.js';
import type { JsonObject, JsonValue } from './json.js';
import { decodeEvent, encodeEvent } from './kafka-codec.js';
import { changeOps, systems } from './vocabulary.js';

/** mulberry32: a small seeded generator, so a failing case can be replayed from its seed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rng = () => number;
const int = (rng: Rng, min: number, max: number) => min + Math.floor(rng() * (max - min + 1));
const pick = <T>(rng: Rng, items: readonly T[]): T => items[int(rng, 0, items.length - 1)] as T;
const chance = (rng: Rng, p: number) => rng() < p;
const pad = (n: number, width = 2) => String(n).padStart(width, '0');

// Text drawn from several scripts, emoji (astral, surrogate pairs), combining marks, escapes.
const alphabets = [
  'abcdefghijklmnopqrstuvwxyz0123456789',
  'ÄÖÜäöüßéèçñ',
  '東京大阪漢字かなカナ',
  'Ωλφαβγ',
  'שלוםمرحبا',
  '😀🚚📦🇩🇪👩‍💻',
  'e\u0301a\u0308',
  ' "\\/\n\t\r\b\f\u2028\u2029\u0001',
];

function text(rng: Rng, maxLength: number, alphabet = pick(rng, alphabets)): string {
  const chars = Array.from(alphabet);
  let result = '';
  const length = int(rng, 1, maxLength);
  for (let i = 0; i < length; i++) result += pick(rng, chars);
  return result;
}

function jsonValue(rng: Rng, depth: number): JsonValue {
  const kind = int(rng, 0, depth > 3 ? 5 : 7);
  switch (kind) {
    case 0:
      return null;
    case 1:
      return chance(rng, 0.5);
    case 2:
      return int(rng, -1_000_000, 1_000_000) || 0; // never -0: JSON has no negative zero
    case 3:
      return pick(rng, [
        0.1,
        1e21,
        -2.5e-7,
        Number.MAX_SAFE_INTEGER,
        123.456,
        3.4028234663852886e38,
      ]);
    case 4:
    case 5:
      return chance(rng, 0.1) ? '' : text(rng, 20);
    case 6:
      return Array.from({ length: int(rng, 0, 4) }, () => jsonValue(rng, depth + 1));
    default:
      return jsonObject(rng, depth + 1);
  }
}

function jsonObject(rng: Rng, depth = 0): JsonObject {
  const record: JsonObject = {};
  for (let i = int(rng, 0, 6); i > 0; i--) record[text(rng, 12)] = jsonValue(rng, depth);
  return record;
}

function timestamp(rng: Rng): string {
  const fraction = chance(rng, 0.5) ? `.${text(rng, 9, '0123456789')}` : '';
  const offset = chance(rng, 0.3)
    ? 'Z'
    : `${pick(rng, ['+', '-'])}${pad(int(rng, 0, 14))}:${pick(rng, ['00', '30', '45'])}`;
  return (
    `${int(rng, 1990, 2035)}-${pad(int(rng, 1, 12))}-${pad(int(rng, 1, 28))}` +
    `T${pad(int(rng, 0, 23))}:${pad(int(rng, 0, 59))}:${pad(int(rng, 0, 59))}${fraction}${offset}`
  );
}

function hex(rng: Rng, length: number): string {
  let result = '';
  for (let i = 0; i < length; i++) result += int(rng, 0, 15).toString(16);
  return result.replace(/^0+$/, (zeros) => `${zeros.slice(1)}1`); // never all zeros
}

function generate(seed: number): { change: Change; options: ChangeEventOptions } {
  const rng = random(seed);
  const op = pick(rng, changeOps);
  const change: Change = {
    op,
    system: pick(rng, systems),
    instance: pick(rng, ['acme', 'globex', 'initech-eu', 'a1_b2']),
    entityType: pick(rng, ['contacts', 'activities', 'customers', 'tour-stops', 'order_lines']),
    entityId: text(rng, 40),
    after: op === 'delete' ? null : jsonObject(rng),
    changedAt: timestamp(rng),
    version: text(rng, 30),
  };
  if (chance(rng, 0.5)) change.before = jsonObject(rng);
  if (chance(rng, 0.5))
    change.changedFields = Array.from({ length: int(rng, 0, 4) }, () => text(rng, 10));
  if (chance(rng, 0.6)) change.changedBy = chance(rng, 0.2) ? null : text(rng, 20);
  if (chance(rng, 0.5)) change.sequence = String(int(rng, 1, 2 ** 40));
  const options: ChangeEventOptions = { correlationId: text(rng, 36) };
  if (chance(rng, 0.3)) options.causationId = text(rng, 36);
  if (chance(rng, 0.5)) {
    options.traceparent = `00-${hex(rng, 32)}-${hex(rng, 16)}-${pick(rng, ['00', '01'])}`;
    if (chance(rng, 0.5)) options.tracestate = `vendor=${text(rng, 16, 'abcdef0123456789')}`;
  }
  return { change, options };
}

describe('encodeEvent → decodeEvent', () => {
  const seeds = Array.from({ length: 500 }, (_, i) => 0x71de + i * 7919);

  it('returns an equal event for every generated change', () => {
    for (const seed of seeds) {
      const { change, options } = generate(seed);
      const event = buildChangeEvent(change, options);
      const encoded = encodeEvent(event);
      // As kafkajs delivers it: every header value, the key and the value as bytes.
      const consumed = {
        key: Buffer.from(encoded.key, 'utf8'),
        value: Buffer.from(encoded.value),
        headers: Object.fromEntries(
          Object.entries(encoded.headers).map(([name, value]) => [
            name,
            Buffer.from(value, 'utf8'),
          ]),
        ),
      };
      const result = decodeEvent(consumed);
      expect(result, `seed ${seed}`).toStrictEqual({ ok: true, event });
      expect(encodeEvent(result.ok ? result.event : event), `seed ${seed}`).toStrictEqual(encoded);
    }
  });
});
