import { describe, expect, it } from 'vitest';
import {
  accountsSchema,
  appointmentsSchema,
  contactsSchema,
  notesSchema,
  usersSchema,
  zeyosEntitySchemas,
} from './generated/entities.js';

describe('generated entity schemas', () => {
  it('cover the twelve entities of issue #3', () => {
    expect(Object.keys(zeyosEntitySchemas).sort()).toEqual(
      [
        'accounts',
        'actionsteps',
        'addresses',
        'appointments',
        'contacts',
        'items',
        'notes',
        'projects',
        'tasks',
        'tickets',
        'transactions',
        'users',
      ].sort(),
    );
  });

  it('keep unknown fields instead of rejecting them', () => {
    const parsed = accountsSchema.parse({
      ID: 7,
      lastname: 'Doe',
      lastmodified: 1_700_000_000,
      brandNewField: { nested: true },
      'extdata.nickname': 'JD',
    });
    expect(parsed).toMatchObject({ brandNewField: { nested: true }, 'extdata.nickname': 'JD' });
  });

  it('require an integer ID and accept a record with only an ID', () => {
    expect(contactsSchema.safeParse({ ID: 1 }).success).toBe(true);
    expect(contactsSchema.safeParse({ lastname: 'x' }).success).toBe(false);
    expect(contactsSchema.safeParse({ ID: 1.5 }).success).toBe(false);
  });

  it('type documented fields: visibility 0/1/2, dates as integer Unix seconds, nullable IDs', () => {
    expect(accountsSchema.safeParse({ ID: 1, visibility: 2 }).success).toBe(true);
    expect(accountsSchema.safeParse({ ID: 1, visibility: 3 }).success).toBe(false);
    expect(accountsSchema.safeParse({ ID: 1, lastmodified: '2024-01-01' }).success).toBe(false);
    expect(accountsSchema.safeParse({ ID: 1, assigneduser: null }).success).toBe(true);
    expect(accountsSchema.safeParse({ ID: 1, type: 9 }).success).toBe(false);
  });

  it('accept both encodings of composite fields and the pseudo fields', () => {
    expect(notesSchema.safeParse({ ID: 1, binfile: 3, attachments: '{a.txt}' }).success).toBe(true);
    expect(
      notesSchema.safeParse({ ID: 1, binfile: { content: 'AA==' }, attachments: ['a.txt'] })
        .success,
    ).toBe(true);
    expect(accountsSchema.parse({ ID: 1, extdata: { x: 1 }, tags: ['a'] })).toMatchObject({
      tags: ['a'],
    });
  });

  it('read a null member of an enum as nullable (appointments.recurrence), not as a sparse array', () => {
    expect(appointmentsSchema.safeParse({ ID: 1, recurrence: null }).success).toBe(true);
    expect(appointmentsSchema.safeParse({ ID: 1, recurrence: 4 }).success).toBe(true);
    expect(appointmentsSchema.safeParse({ ID: 1, recurrence: 5 }).success).toBe(false);
  });

  it('describe read-only users too', () => {
    expect(usersSchema.safeParse({ ID: 1, name: 'demo', activity: 0 }).success).toBe(true);
  });
});
