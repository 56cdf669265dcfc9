import { z } from 'zod';
import { Secret } from './secret.js';

/**
 * Field parsers for environment variables. Environment values are strings (or absent);
 * each helper turns one into a typed value with a message naming what was expected.
 * The received value is never echoed, so a secret in the wrong variable stays hidden.
 */

const nonEmpty = z.string().trim().min(1, 'must not be empty');

export const envString = () => nonEmpty;

export const envInt = (options: { min?: number; max?: number } = {}) =>
  nonEmpty
    .regex(/^-?\d+$/, 'must be an integer')
    .transform(Number)
    .pipe(
      z
        .number()
        .int()
        .min(options.min ?? Number.MIN_SAFE_INTEGER, `must be ≥ ${options.min ?? ''}`)
        .max(options.max ?? Number.MAX_SAFE_INTEGER, `must be ≤ ${options.max ?? ''}`),
    );

export const envBool = () =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' })
    .transform((value) => value === 'true' || value === '1' || value === 'yes');

export const envUrl = () =>
  nonEmpty.refine((value) => URL.canParse(value), 'must be an absolute URL');

export const envEnum = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: `must be one of ${values.join(', ')}` });

/** Comma-separated list of non-empty items. */
export const envList = () =>
  nonEmpty.transform((value) =>
    value
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item.length > 0),
  );

/** Comma-separated host:port pairs, e.g. Kafka bootstrap servers. */
export const envHostPorts = () =>
  envList().pipe(
    z
      .array(z.string().regex(/^[A-Za-z0-9.-]+:\d{1,5}$/, 'each entry must be host:port'))
      .min(1, 'needs at least one host:port'),
  );

/** A secret: parsed like a string, held in a Secret so it cannot leak through printing. */
export const envSecret = () => nonEmpty.transform((value) => new Secret(value));
