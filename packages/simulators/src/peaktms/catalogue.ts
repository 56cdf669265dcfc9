/**
 * The configuration a PeakTMS installation keeps as data: object types with their attribute
 * definitions (per object kind), data pools, locations, value lists and users. The simulator
 * starts from this small demo catalogue; only the per-type history-log switch changes at run
 * time (admin API), value lists through /valuelists.
 */

export const objectKinds = ['activities', 'activityseries', 'projects', 'resources'] as const;
export type ObjectKind = (typeof objectKinds)[number];

export function isObjectKind(text: string): text is ObjectKind {
  return (objectKinds as readonly string[]).includes(text);
}

export const dataTypes = [
  'TEXT',
  'TEXT_LONG',
  'NUMBER',
  'DECIMAL',
  'DATE',
  'BOOLEAN',
  'VALUELIST',
  'MULTISELECTLIST',
  'USER',
  'RESOURCE',
  'FILE_MANAGEMENT',
  'STATUS_ENGINE',
  'APPROVE',
  'IDGENERATOR',
] as const;
export type DataType = (typeof dataTypes)[number];

export interface AttributeDef {
  name: string;
  dataType: DataType;
  /** Must hold a value after create and PUT. */
  required?: boolean;
  /** VALUELIST, MULTISELECTLIST: the value list's name. */
  valueList?: string;
  /** STATUS_ENGINE: states in order (the first is the initial one) and allowed transitions. */
  statuses?: { transitions: Readonly<Record<string, readonly string[]>> };
  /** IDGENERATOR: prefix of the generated identifiers. */
  prefix?: string;
}

export interface TypeDef {
  kind: ObjectKind;
  name: string;
  /** Whether objects of the type have `begin` and `end`. */
  hasPeriod: boolean;
  /** Whether changes of this type are written to the history log (switchable at run time). */
  historyLog: boolean;
  attributes: readonly AttributeDef[];
}

const testStatus = {
  transitions: {
    Planned: ['In progress', 'Cancelled'],
    'In progress': ['Done', 'Planned', 'Cancelled'],
    Done: ['In progress'],
    Cancelled: ['Planned'],
  },
};

const projectStatus = {
  transitions: {
    Open: ['Running', 'Closed'],
    Running: ['Closed', 'Open'],
    Closed: ['Open'],
  },
};

/** The demo catalogue; each simulator copies it (history-log switches are per simulator). */
export function defaultTypes(): TypeDef[] {
  return [
    {
      kind: 'activities',
      name: 'Test',
      hasPeriod: true,
      historyLog: true,
      attributes: [
        { name: 'Number', dataType: 'IDGENERATOR', prefix: 'ACT-' },
        { name: 'Status', dataType: 'STATUS_ENGINE', statuses: testStatus },
        { name: 'Description', dataType: 'TEXT_LONG' },
        { name: 'Customer', dataType: 'TEXT' },
        { name: 'Samples', dataType: 'NUMBER' },
        { name: 'Cost', dataType: 'DECIMAL' },
        { name: 'Due', dataType: 'DATE' },
        { name: 'Billable', dataType: 'BOOLEAN' },
        { name: 'Priority', dataType: 'VALUELIST', valueList: 'Priority' },
        { name: 'Labels', dataType: 'MULTISELECTLIST', valueList: 'Labels' },
        { name: 'Tester', dataType: 'USER' },
        { name: 'Device', dataType: 'RESOURCE' },
        { name: 'Report', dataType: 'FILE_MANAGEMENT' },
        { name: 'Approval', dataType: 'APPROVE' },
      ],
    },
    {
      kind: 'activities',
      name: 'Maintenance',
      hasPeriod: true,
      historyLog: false,
      attributes: [
        { name: 'Description', dataType: 'TEXT_LONG' },
        { name: 'Done', dataType: 'BOOLEAN' },
      ],
    },
    {
      kind: 'activityseries',
      name: 'Test series',
      hasPeriod: true,
      historyLog: true,
      attributes: [
        { name: 'Description', dataType: 'TEXT_LONG' },
        { name: 'Interval days', dataType: 'NUMBER' },
      ],
    },
    {
      kind: 'projects',
      name: 'Customer project',
      hasPeriod: true,
      historyLog: true,
      attributes: [
        { name: 'Number', dataType: 'IDGENERATOR', prefix: 'PRJ-' },
        { name: 'Status', dataType: 'STATUS_ENGINE', statuses: projectStatus },
        { name: 'Customer', dataType: 'TEXT', required: true },
        { name: 'Budget', dataType: 'DECIMAL' },
        { name: 'Manager', dataType: 'USER' },
        { name: 'Documents', dataType: 'FILE_MANAGEMENT' },
      ],
    },
    {
      kind: 'projects',
      name: 'Internal project',
      hasPeriod: false,
      historyLog: false,
      attributes: [{ name: 'Cost center', dataType: 'TEXT' }],
    },
    {
      kind: 'resources',
      name: 'Test bench',
      hasPeriod: false,
      historyLog: true,
      attributes: [
        { name: 'Serial number', dataType: 'TEXT', required: true },
        { name: 'Capacity', dataType: 'NUMBER' },
        { name: 'In service', dataType: 'BOOLEAN' },
        { name: 'Calibrated', dataType: 'DATE' },
        { name: 'Labels', dataType: 'MULTISELECTLIST', valueList: 'Labels' },
        { name: 'Manual', dataType: 'FILE_MANAGEMENT' },
      ],
    },
    {
      kind: 'resources',
      name: 'Person',
      hasPeriod: false,
      historyLog: false,
      attributes: [
        { name: 'User', dataType: 'USER' },
        { name: 'Skills', dataType: 'MULTISELECTLIST', valueList: 'Labels' },
      ],
    },
  ];
}

export const defaultDataPools = ['Default', 'Lab Berlin', 'Lab Munich'] as const;
export const defaultLocations = ['Berlin', 'Munich', 'Remote'] as const;

export function defaultValueLists(): Map<string, string[]> {
  return new Map([
    ['Priority', ['Low', 'Medium', 'High']],
    ['Labels', ['EMC', 'Climate', 'Vibration', 'Safety', 'Urgent']],
  ]);
}

/** A user as /users shows it: nothing beyond these five fields is public. */
export interface PeakUser {
  loginName: string;
  phone: string | null;
  name: string;
  familyName: string;
  department: string | null;
}

export function defaultUsers(demoLogin: string): PeakUser[] {
  return [
    {
      loginName: demoLogin,
      phone: '+49 30 1234560',
      name: 'Demo',
      familyName: 'User',
      department: 'IT',
    },
    {
      loginName: 'mmueller',
      phone: '+49 30 1234561',
      name: 'Max',
      familyName: 'Müller',
      department: 'Lab',
    },
    {
      loginName: 'emustermann',
      phone: null,
      name: 'Erika',
      familyName: 'Mustermann',
      department: 'Lab',
    },
    {
      loginName: 'jdoe',
      phone: '+49 89 555010',
      name: 'John',
      familyName: 'Doe',
      department: 'Sales',
    },
  ];
}
