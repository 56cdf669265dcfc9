#!/usr/bin/env node
// Derives the compact entity table the ZeyOS simulator runs on from the vendor's OpenAPI
// document (ZeyOS REST API v1, MIT). The simulator must not need the 612 KB original at run
// time (CI clones do not have /work/shared), so the output is committed:
//   src/zeyos/generated/entities.json
//
// Usage: node scripts/generate-zeyos-schema.mjs [path/to/api.json]
// Default input: $ZEYOS_OPENAPI or ../../../shared/reference/zeyos-openapi/api.json relative to
// the package (the layout of the design workspace).
//
// What it extracts per entity (only facts the document states, plus the reference table below):
// - operations, from the methods of /{entity} and /{entity}/{ID}
// - fields in document order: type, format, nullable, default, enum, pattern, length and range
//   limits, "required" (minLength >= 1 or marked **dependency**), "defaultNow" (documented as
//   defaulting to the current date), "defaultUser" (defaults to the authenticated user),
//   "readOnly" (documented as read-only), "ref" (the entity a foreign-key field points at)
// - whether the entity has visibility / activity / lastmodified
// - whether extdata and tags can be read (GET parameters) and written (request body schema)
// - searchable strings: plain string fields (no enum, no pattern, not a password)
import console from 'node:console';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const packageRoot = resolve(here, '..');
const input = resolve(
  process.argv[2] ??
    process.env.ZEYOS_OPENAPI ??
    resolve(packageRoot, '../../../shared/reference/zeyos-openapi/api.json'),
);
const output = resolve(packageRoot, 'src/zeyos/generated/entities.json');

/**
 * Foreign keys. The document names them only in prose ("Contact ID", "Assigned user ID"), so
 * the mapping from field name to target entity is stated here once and checked against the
 * schemas below. Polymorphic keys (index, index1, index2, original: "Entity ID") have no target.
 */
const references = {
  account: 'accounts',
  application: 'applications',
  appointment: 'appointments',
  assigneduser: 'users',
  campaign: 'campaigns',
  channel: 'channels',
  comment: 'comments',
  component: 'items',
  contact: 'contacts',
  contact1: 'contacts',
  contact2: 'contacts',
  contract: 'contracts',
  coupon: 'coupons',
  couponcode: 'couponcodes',
  creator: 'users',
  davserver: 'davservers',
  dunning: 'dunning',
  fork: 'forks',
  group: 'groups',
  item: 'items',
  leader: 'users',
  ledger: 'ledgers',
  mailinglist: 'mailinglists',
  mailserver: 'mailservers',
  message: 'messages',
  model: 'items',
  opportunity: 'opportunities',
  ownergroup: 'groups',
  owneruser: 'users',
  participant: 'participants',
  pricelist: 'pricelists',
  project: 'projects',
  recipientgroup: 'groups',
  recipientuser: 'users',
  record: 'records',
  reference: 'messages',
  relateditem: 'items',
  storage: 'storages',
  task: 'tasks',
  ticket: 'tickets',
  transaction: 'transactions',
  transfer: 'stocktransactions',
  user: 'users',
};

const raw = readFileSync(input);
const api = JSON.parse(raw.toString('utf8'));
const schemas = api.components.schemas;
const requestBodies = api.components.requestBodies;

function refName(ref) {
  return ref.split('/').pop();
}

/** Classifies one property into the simulator's field kinds. */
function describeField(entity, name, prop) {
  const description = prop.description ?? '';
  let field;
  if (prop.$ref !== undefined) {
    const target = refName(prop.$ref);
    if (target === 'binfile-field') field = { type: 'binfile', nullable: true, default: null };
    else if (target === 'meta-field' || target === 'items-field')
      field = { type: 'json', nullable: true, default: null };
    else throw new Error(`${entity}.${name}: unknown $ref ${prop.$ref}`);
  } else if (prop.oneOf !== undefined) {
    // A composite column: an encoded string on the wire unless expanded.
    const encoded = prop.oneOf.find((p) => p.type === 'string');
    const text = encoded?.description ?? '';
    field = { type: text.includes('Array]') ? 'pgarray' : 'json', nullable: true, default: null };
  } else {
    field = { type: prop.type };
    if (prop.format !== undefined) field.format = prop.format;
    if (prop.nullable === true) field.nullable = true;
    if ('default' in prop) field.default = prop.default;
    if (prop.enum !== undefined) field.enum = prop.enum;
    if (prop.pattern !== undefined) field.pattern = prop.pattern;
    for (const key of ['minLength', 'maxLength', 'minimum', 'maximum', 'exclusiveMinimum']) {
      if (prop[key] !== undefined) field[key] = prop[key];
    }
  }
  if (name !== 'ID') {
    if ((field.minLength ?? 0) >= 1 || description.includes('**dependency**'))
      field.required = true;
    if (/defaults to current date/.test(description)) field.defaultNow = true;
    if (/defaults to authenticated user/.test(description)) field.defaultUser = true;
    if (/is read-only/.test(description)) field.readOnly = true;
    if (
      field.type === 'integer' &&
      references[name] !== undefined &&
      /\bID\b|user\b/.test(description)
    ) {
      field.ref = references[name];
    }
  }
  return field;
}

function operationsOf(entity) {
  const ops = [];
  const collection = api.paths[`/${entity}`] ?? {};
  const item = api.paths[`/${entity}/{ID}`] ?? {};
  if (collection.post) ops.push('list');
  if (collection.put) ops.push('create');
  if (item.get) ops.push('get');
  if (item.head) ops.push('head');
  if (item.patch) ops.push('update');
  if (item.delete) ops.push('delete');
  return ops;
}

function bodyParts(entity) {
  const body = requestBodies[entity];
  const schema = body?.content?.['application/json']?.schema;
  if (schema === undefined) return [];
  const resolved = schemas[refName(schema.$ref)];
  return (resolved.allOf ?? []).map((part) => refName(part.$ref));
}

const entities = {};
for (const entity of Object.keys(schemas).sort()) {
  if (entity.includes('-')) continue; // helper schemas (request-*, binfile-field, ...)
  if (api.paths[`/${entity}`] === undefined) continue;
  const schema = schemas[entity];
  const fields = {};
  for (const [name, prop] of Object.entries(schema.properties)) {
    fields[name] = describeField(entity, name, prop);
  }
  const getParams = (api.paths[`/${entity}/{ID}`]?.get?.parameters ?? []).map((p) =>
    refName(p.$ref),
  );
  const parts = bodyParts(entity);
  const searchable = Object.entries(fields)
    .filter(
      ([, f]) =>
        f.type === 'string' &&
        f.enum === undefined &&
        f.pattern === undefined &&
        f.format !== 'password',
    )
    .map(([name]) => name);
  entities[entity] = {
    operations: operationsOf(entity),
    visibility: 'visibility' in fields,
    activity: 'activity' in fields,
    lastmodified: 'lastmodified' in fields,
    extdata: { read: getParams.includes('extdata'), write: parts.includes('extdata-field') },
    tags: { read: getParams.includes('tags'), write: parts.includes('tags-field') },
    searchable,
    fields,
  };
}

// Every reference must point at an entity of the table; a typo here would silently break joins.
for (const [entity, def] of Object.entries(entities)) {
  for (const [name, field] of Object.entries(def.fields)) {
    if (field.ref !== undefined && entities[field.ref] === undefined) {
      throw new Error(`${entity}.${name} references unknown entity ${field.ref}`);
    }
  }
}

const table = {
  $comment:
    'Generated by scripts/generate-zeyos-schema.mjs from the ZeyOS REST API v1 OpenAPI document (MIT, see LICENSE). Do not edit by hand.',
  source: {
    title: api.info.title,
    version: api.info.version,
    sha256: createHash('sha256').update(raw).digest('hex'),
  },
  entities,
};

// One entity per block, one field per line: small diffs when the vendor document changes.
const lines = [];
lines.push('{');
lines.push(`  "$comment": ${JSON.stringify(table.$comment)},`);
lines.push(`  "source": ${JSON.stringify(table.source)},`);
lines.push('  "entities": {');
const names = Object.keys(entities);
names.forEach((name, i) => {
  const { fields, ...rest } = entities[name];
  lines.push(`    ${JSON.stringify(name)}: {`);
  for (const [key, value] of Object.entries(rest)) {
    lines.push(`      ${JSON.stringify(key)}: ${JSON.stringify(value)},`);
  }
  lines.push('      "fields": {');
  const fieldNames = Object.keys(fields);
  fieldNames.forEach((field, j) => {
    const comma = j < fieldNames.length - 1 ? ',' : '';
    lines.push(`        ${JSON.stringify(field)}: ${JSON.stringify(fields[field])}${comma}`);
  });
  lines.push('      }');
  lines.push(`    }${i < names.length - 1 ? ',' : ''}`);
});
lines.push('  }');
lines.push('}');
mkdirSync(dirname(output), { recursive: true });
writeFileSync(output, lines.join('\n') + '\n');
console.log(`wrote ${Object.keys(entities).length} entities to ${output}`);
