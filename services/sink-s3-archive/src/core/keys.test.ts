import { describe, expect, it } from 'vitest';
import { objectKey, parseObjectKey } from './keys.js';

describe('object keys', () => {
  it('lays keys out in Hive partitions by UTC day and hour, named by the zero-padded first offset', () => {
    const key = objectKey(
      'events/',
      'tidemark.zeyos.contacts',
      2,
      '1234',
      Date.parse('2024-05-01T10:00:00Z'),
    );
    expect(key).toBe(
      'events/tidemark.zeyos.contacts/dt=2024-05-01/hour=10/tidemark.zeyos.contacts+2+00000000000000001234.jsonl.gz',
    );
    expect(parseObjectKey(key)).toEqual({
      prefix: 'events',
      topic: 'tidemark.zeyos.contacts',
      partition: 2,
      firstOffset: '1234',
      day: '2024-05-01',
      hour: '10',
    });
  });

  it.each([
    ['events/t/dt=2024-05-01/hour=10/other+2+00000000000000001234.jsonl.gz'],
    ['events/t/dt=2024-05-01/hour=10/t+2+1.jsonl'],
    ['_tidemark/health'],
  ])('ignores %s', (key) => expect(parseObjectKey(key)).toBeUndefined());

  it('supports an empty prefix', () => {
    const key = objectKey('', 't', 0, '0', 0);
    expect(key).toBe('t/dt=1970-01-01/hour=00/t+0+00000000000000000000.jsonl.gz');
    expect(parseObjectKey(key)?.prefix).toBe('');
  });
});
