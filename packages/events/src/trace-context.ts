import { z } from 'zod';

/**
 * W3C Trace Context `traceparent`, version 00: `00-<trace-id>-<parent-id>-<flags>` in lowercase
 * hex. An all-zero trace id or parent id is invalid per the recommendation (section 3.2.2).
 */
export const TraceparentSchema = z
  .string()
  .regex(
    /^00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}$/,
    'must be 00-<32 hex>-<16 hex>-<2 hex>, ids not all zero',
  );

/**
 * W3C Trace Context `tracestate`: vendor entries, at most 512 characters of printable ASCII.
 * Checked loosely; its owner (the tracing library) parses the entries.
 */
export const TracestateSchema = z
  .string()
  .min(1)
  .max(512)
  .regex(/^[\x20-\x7e]+$/, 'must be printable ASCII');
