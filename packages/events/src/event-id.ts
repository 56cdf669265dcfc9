import { createHash } from 'node:crypto';
import { TidemarkError } from '@tidemark/errors';
import type { Change } from './change.js';

/**
 * Namespace of Tidemark event ids (a random UUID fixed once; never change it, or every replay
 * would produce new ids).
 */
export const EVENT_ID_NAMESPACE = '1e0ad105-678a-41f1-99ae-a6603b9c506b';

/** What identifies one change; a {@link Change} fits as is. */
export type EventIdInput = Pick<
  Change,
  'system' | 'instance' | 'entityType' | 'entityId' | 'version' | 'op'
>;

/**
 * The deterministic CloudEvent id of a change, so a replay yields the same id and consumers can
 * deduplicate on it. Recipe (reproducible in any language with a UUIDv5 function):
 *
 *     name = join("\u0000", [system, instance, entityType, entityId, version, op])  // UTF-8
 *     id   = uuidv5(EVENT_ID_NAMESPACE, name)                                      // RFC 9562
 *
 * NUL cannot occur inside a field (the change schema forbids it), so the join is unambiguous.
 * `sequence`, timestamps and record contents are deliberately not part of the id: the source's
 * version already names the change.
 * @throws TidemarkError `INPUT_INVALID` if a field is empty or contains NUL.
 */
export function eventIdFor(input: EventIdInput): string {
  const fields = [
    input.system,
    input.instance,
    input.entityType,
    input.entityId,
    input.version,
    input.op,
  ];
  if (fields.some((field) => field.length === 0 || field.includes('\u0000'))) {
    throw new TidemarkError('INPUT_INVALID', 'event id fields must be non-empty and free of NUL');
  }
  return uuidV5(EVENT_ID_NAMESPACE, fields.join('\u0000'));
}

/** A name-based UUID, version 5 (SHA-1), as RFC 9562 section 5.5 defines it. */
export function uuidV5(namespace: string, name: string): string {
  const namespaceBytes = Buffer.from(namespace.replaceAll('-', ''), 'hex');
  if (namespaceBytes.length !== 16) {
    throw new TidemarkError('INPUT_INVALID', 'namespace must be a UUID');
  }
  const hash = createHash('sha1').update(namespaceBytes).update(name, 'utf8').digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50; // version 5
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80; // variant 10xx
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
