/**
 * What the shipped rule set tSM tickets <-> ZeyOS tickets promises, checked against both stores.
 */
import type { TsmClient } from '@tidemark/tsm';
import type { ZeyosClient } from '@tidemark/zeyos';

type Row = Record<string, unknown>;

const text = (value: unknown) => (typeof value === 'string' ? value : '');

// The rule set's maps, written out again here: the test states what the rules promise.
const STATUS_TO_TSM = [
  'NEW',
  'NEW',
  'IN_PROGRESS',
  'CANCELED',
  'IN_PROGRESS',
  'IN_PROGRESS',
  'IN_PROGRESS',
  'IN_PROGRESS',
  'CANCELED',
  'RESOLVED',
  'CLOSED',
  'CLOSED',
];
const PRIORITY_TO_TSM = ['LOW', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'];

/** Every ticket of both stores, read through the clients (the stores' own answers). */
export async function ticketStores(zeyos: ZeyosClient, tsm: TsmClient) {
  const zeyosTickets: Row[] = [];
  for await (const page of zeyos.pages('tickets', {}, { pageSize: 1000 })) {
    zeyosTickets.push(...(page as Row[]));
  }
  const tsmTickets: Row[] = [];
  for await (const page of tsm.tickets.pages({ size: 1000 })) {
    tsmTickets.push(...(page.content as Row[]));
  }
  return { zeyosTickets, tsmTickets };
}

/**
 * What the rule set promises, record by record, as a list of differences (empty = converged):
 * every live ZeyOS ticket has the tSM ticket of its number with the same name and
 * description and the mapped status and priority; every tSM ticket has a live ZeyOS ticket;
 * a ZeyOS ticket that is not live (deleted, or archived for a deleted tSM ticket) has no tSM
 * ticket.
 */
export function ticketDifferences(zeyosTickets: Row[], tsmTickets: Row[]): string[] {
  const problems: string[] = [];
  const byCode = new Map(tsmTickets.map((t) => [text(t['code']), t]));
  const byNumber = new Map(zeyosTickets.map((z) => [text(z['ticketnum']), z]));
  for (const ticket of zeyosTickets) {
    const code = text(ticket['ticketnum']) || `zeyos-${String(ticket['ID'])}`;
    const key = `${code} (ID ${String(ticket['ID'])})`;
    const partner = byCode.get(code);
    if (ticket['visibility'] !== 0) {
      if (partner !== undefined) problems.push(`ZeyOS ticket ${key}: not live, tSM ticket is`);
      continue;
    }
    if (partner === undefined) {
      problems.push(`ZeyOS ticket ${key}: no tSM ticket`);
      continue;
    }
    const expected: Row = {
      name: ticket['name'],
      description: text(ticket['description']),
      status: STATUS_TO_TSM[Number(ticket['status'])],
      priority: PRIORITY_TO_TSM[Number(ticket['priority'])],
    };
    const actual: Row = { ...partner, description: text(partner['description']) };
    for (const [field, value] of Object.entries(expected)) {
      if (actual[field] !== value) {
        problems.push(
          `ZeyOS ticket ${key}: tSM ${field} ${JSON.stringify(actual[field])}, expected ${JSON.stringify(value)}`,
        );
      }
    }
  }
  for (const ticket of tsmTickets) {
    const partner = byNumber.get(text(ticket['code']));
    if (partner === undefined || partner['visibility'] !== 0) {
      problems.push(
        `tSM ticket ${text(ticket['code'])} (${text(ticket['id'])}): no live ZeyOS ticket`,
      );
    }
  }
  return problems;
}
