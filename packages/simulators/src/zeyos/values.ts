import { HttpError } from '../core/router.js';
import type { FieldDef } from './schema.js';

/**
 * Input checking and wire encoding of field values, driven by the generated field table.
 * Stored values are the wire form: composite columns keep their encoded text (JSON text or a
 * PostgreSQL array literal) and binfile columns the bin file ID; `expand` decodes on the way
 * out.
 */

export function badRequest(detail: string): HttpError {
  return new HttpError(400, `Bad Request: ${detail}`);
}

function invalid(field: FieldDef): HttpError {
  return badRequest(`Invalid value for field ${field.name}`);
}

const integerText = /^[+-]?\d+$/;
const numberText = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** A binfile given on create/update: base64 content or a data: URI. */
export interface BinfileInput {
  content: Buffer;
  mimetype: string | null;
}

/**
 * Checks and converts one input value for `field`. Numeric strings are accepted for numbers
 * (form bodies only carry strings), numbers for strings, booleans for 0/1 integers.
 * Binfile content is returned as a BinfileInput for the caller to store.
 */
export function acceptValue(field: FieldDef, value: unknown): unknown {
  if (value === null) {
    if (field.nullable || field.composite) return null;
    throw invalid(field);
  }
  switch (field.type) {
    case 'integer': {
      let n: number;
      if (typeof value === 'number') n = value;
      else if (typeof value === 'boolean') n = value ? 1 : 0;
      else if (typeof value === 'string' && integerText.test(value.trim())) n = Number(value);
      else if (typeof value === 'string' && value === '' && field.nullable) return null;
      else throw invalid(field);
      if (!Number.isSafeInteger(n)) throw invalid(field);
      checkRange(field, n);
      return n;
    }
    case 'number': {
      let n: number;
      if (typeof value === 'number') n = value;
      else if (typeof value === 'string' && numberText.test(value.trim())) n = Number(value);
      else throw invalid(field);
      if (!Number.isFinite(n)) throw invalid(field);
      checkRange(field, n);
      return n;
    }
    case 'string': {
      let text: string;
      if (typeof value === 'string') text = value;
      else if (typeof value === 'number' && Number.isFinite(value)) text = String(value);
      else throw invalid(field);
      if (field.enum !== undefined && !field.enum.includes(text)) throw invalid(field);
      if (field.minLength !== undefined && text.length < field.minLength) throw invalid(field);
      if (field.maxLength !== undefined && text.length > field.maxLength) throw invalid(field);
      if (field.pattern !== undefined && !field.pattern.test(text)) throw invalid(field);
      return text;
    }
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (value === 0 || value === '0') return false;
      if (value === 1 || value === '1') return true;
      throw invalid(field);
    case 'object':
      if (typeof value === 'object' && !Array.isArray(value)) return value;
      throw invalid(field);
    case 'array':
      if (Array.isArray(value)) return value;
      throw invalid(field);
    case 'json':
      if (typeof value === 'string') {
        try {
          JSON.parse(value);
        } catch {
          throw invalid(field);
        }
        return value;
      }
      return JSON.stringify(value);
    case 'pgarray':
      if (typeof value === 'string') {
        if (decodePgArray(value) === undefined) throw invalid(field);
        return value;
      }
      if (
        Array.isArray(value) &&
        value.every((item) => item === null || typeof item !== 'object')
      ) {
        return encodePgArray(
          value.map((item) => (item === null ? null : String(item as string | number))),
        );
      }
      throw invalid(field);
    case 'binfile':
      return acceptBinfile(field, value);
  }
}

function checkRange(field: FieldDef, n: number) {
  if (field.enum !== undefined && !field.enum.includes(n)) throw invalid(field);
  if (field.minimum !== undefined && n < field.minimum) throw invalid(field);
  if (field.maximum !== undefined && n > field.maximum) throw invalid(field);
  if (field.exclusiveMinimum !== undefined && n <= field.exclusiveMinimum) throw invalid(field);
}

function acceptBinfile(field: FieldDef, value: unknown): BinfileInput {
  // The bin file ID itself is read-only (binfile-field: "not for PUT or PATCH").
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(field);
  const record = value as Record<string, unknown>;
  if (typeof record.content === 'string') {
    return { content: Buffer.from(record.content, 'base64'), mimetype: null };
  }
  if (typeof record.uri === 'string') {
    const match = /^data:([^;,]*)(;base64)?,(.*)$/s.exec(record.uri);
    if (match === null) throw invalid(field);
    const data = match[3] ?? '';
    const content =
      match[2] === undefined
        ? Buffer.from(decodeURIComponent(data), 'utf8')
        : Buffer.from(data, 'base64');
    return { content, mimetype: match[1] === '' ? null : (match[1] ?? null) };
  }
  throw invalid(field);
}

/** The value a field takes on create when the body leaves it out. */
export function defaultValue(field: FieldDef, nowSeconds: number, userId: number | null): unknown {
  if (field.defaultNow) return nowSeconds;
  if (field.defaultUser) return userId;
  if (field.hasDefault) return field.default;
  if (field.nullable || field.composite) return null;
  switch (field.type) {
    case 'string':
      return '';
    case 'integer':
    case 'number':
      return 0;
    case 'boolean':
      return false;
    case 'object':
    case 'array':
    case 'json':
    case 'pgarray':
    case 'binfile':
      return null;
  }
}

/** Encodes a one-dimensional PostgreSQL array literal: {a,"b c",NULL}. */
export function encodePgArray(items: readonly (string | null)[]): string {
  const parts = items.map((item) => {
    if (item === null) return 'NULL';
    if (item !== '' && item.toUpperCase() !== 'NULL' && /^[^{}",\\\s]+$/.test(item)) return item;
    return `"${item.replace(/[\\"]/g, '\\$&')}"`;
  });
  return `{${parts.join(',')}}`;
}

/** Decodes a one-dimensional PostgreSQL array literal, or undefined when it is not one. */
export function decodePgArray(text: string): (string | null)[] | undefined {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{') || !trimmed.endsWith('}')) return undefined;
  const body = trimmed.slice(1, -1);
  const items: (string | null)[] = [];
  if (body.trim() === '') return items;
  let i = 0;
  while (i <= body.length) {
    while (body[i] === ' ') i++;
    if (body[i] === '"') {
      let item = '';
      i++;
      while (i < body.length && body[i] !== '"') {
        if (body[i] === '\\') i++;
        item += body[i] ?? '';
        i++;
      }
      if (body[i] !== '"') return undefined;
      i++;
      items.push(item);
    } else {
      let end = body.indexOf(',', i);
      if (end === -1) end = body.length;
      const raw = body.slice(i, end).trim();
      if (raw.includes('"') || raw.includes('{')) return undefined;
      items.push(raw.toUpperCase() === 'NULL' ? null : raw);
      i = end;
    }
    while (body[i] === ' ') i++;
    if (i >= body.length) break;
    if (body[i] !== ',') return undefined;
    i++;
  }
  return items;
}
