import { describe, expect, it } from 'vitest';
import { isJsonText } from './json-check.js';

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

const valid = [
  '{}',
  '[]',
  ' { } ',
  '\t[ ]\r\n',
  '0',
  '-0',
  '-0.5e+10',
  '1E3',
  '123.456e-7',
  '"a"',
  '"Zoë \\u00fc \\n \\" \\\\ \\/"',
  'true',
  'false',
  'null',
  '{"a":1,"b":[true,false,null,{"c":"d"}],"e":{}}',
  '[[[[[]]]]]',
  '{ "a" : [ 1 , 2 ] , "b" : { } }',
  '"\\ud800"',
];
const invalid = [
  '',
  ' ',
  '{',
  '}',
  '[1,]',
  '{"a":1,}',
  '{"a"}',
  '{"a":}',
  '{a:1}',
  "{'a':1}",
  '[1 2]',
  '01',
  '-',
  '1.',
  '.5',
  '1e',
  '1e+',
  '+1',
  'NaN',
  'Infinity',
  'tru',
  'nul',
  'truex',
  '"abc',
  '"a\tb"',
  '"\\x"',
  '"\\u12"',
  '"\\u12g4"',
  '{}{}',
  '[]]',
  '{"a":1}x',
  '\u00a0{}',
  '\ufeff{}',
];

describe('isJsonText', () => {
  it.each(valid)('accepts %j', (text) => {
    expect(parses(text)).toBe(true);
    expect(isJsonText(Buffer.from(text))).toBe(true);
  });

  it.each(invalid)('rejects %j', (text) => {
    expect(parses(text)).toBe(false);
    expect(isJsonText(Buffer.from(text))).toBe(false);
  });

  it('looks only at the given range', () => {
    const bytes = Buffer.from('xx{"a":[1]}yy');
    expect(isJsonText(bytes, 2, 11)).toBe(true);
    expect(isJsonText(bytes, 2, 10)).toBe(false);
    expect(isJsonText(Buffer.from('"ab"'), 0, 3)).toBe(false);
    expect(isJsonText(Buffer.from('[1]]'), 0, 3)).toBe(true);
  });

  it('agrees with JSON.parse on thousands of mutated documents', () => {
    // Deterministic pseudo-random mutations of valid documents: cut, insert, delete, replace.
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return Math.floor(seed / 65_536) % n; // the high bits: an LCG's low bits cycle fast
    };
    const alphabet = '{}[]",:.-+eE0123456789 \t\n\\u/abfnrtxlsü';
    const seeds = [
      JSON.stringify({ op: 'update', after: { name: 'Zoë', n: [1, -2.5e3, true, null] } }),
      '[{"a":"\\u00e9\\n"},[],{},0,-0.1,1e-9,"x"]',
      ...valid,
    ];
    let disagreements = 0;
    for (let round = 0; round < 20_000; round++) {
      let text = seeds[random(seeds.length)] ?? '';
      for (let edits = 1 + random(3); edits > 0; edits--) {
        const at = random(text.length + 1);
        const char = alphabet[random(alphabet.length)] ?? '';
        switch (random(4)) {
          case 0:
            text = text.slice(0, at);
            break;
          case 1:
            text = text.slice(0, at) + char + text.slice(at);
            break;
          case 2:
            text = text.slice(0, at) + text.slice(at + 1);
            break;
          default:
            text = text.slice(0, at) + char + text.slice(at + 1);
        }
      }
      if (isJsonText(Buffer.from(text)) !== parses(text)) {
        disagreements += 1;
        expect.soft(text).toBe('(a document both agree on)');
      }
    }
    expect(disagreements).toBe(0);
  });
});
