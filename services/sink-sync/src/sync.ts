/**
 * The sync processor: one change event in, the writes its rules call for out. For each rule
 * reading from the event's system and entity: map the record, find the target (id map, then
 * the rule's match field), decide (core/plan.ts) on the target as read just now, write, and
 * record new links in the id map before the event counts as done. A version conflict (the
 * target changed between read and write) re-reads and decides again.
 *
 * Errors: a retryable one (429, 5xx, timeouts, Kafka) propagates as is, and the consumer
 * retries the event with its partition waiting, so per-record order holds; any other gets the
 * rule's name in its message and is dead-lettered by the consumer with the event and the
 * target's answer.
 */
import { TidemarkError, isTidemarkError } from '@tidemark/errors';
import {
  EVENT_ID_NAMESPACE,
  uuidV5,
  type Change,
  type JsonObject,
  type System,
} from '@tidemark/events';
import { messageToEvent, type ConsumedMessage } from '@tidemark/kafka';
import {
  MappingError,
  applyRule,
  getPath,
  rulesFor,
  sourceView,
  type CompiledRule,
  type RuleSet,
} from '@tidemark/sync-rules';
import {
  getTracer,
  newCorrelationId,
  silentLogger,
  withCorrelationId,
  withSpan,
  type Logger,
} from '@tidemark/telemetry';
import type { EchoMemory } from './core/echoes.js';
import type { IdMap, IdMapRecord, RecordRef } from './core/id-map.js';
import {
  holds,
  plan,
  targetIsNewer,
  type ChangeTime,
  type SkipReason,
  type SyncAction,
  type TargetState,
} from './core/plan.js';
import { ambiguousMatch, isVersionConflict, type SyncTarget } from './targets/target.js';

export interface SyncObserver {
  applied?(rule: string, action: Exclude<SyncAction['kind'], 'skip'>, latencyMs: number): void;
  skipped?(rule: string, reason: SkipReason): void;
  /** An event that was the echo of the sink's own write: no rule ran. */
  echo?(system: System, entity: string): void;
  conflict?(rule: string): void;
}

export interface SyncProcessorDeps {
  rules: RuleSet;
  targets: ReadonlyMap<System, SyncTarget>;
  idMap: IdMap;
  echoes: EchoMemory;
  /** Makes id-map records durable (the compacted topic); resolves once acknowledged. */
  persistLinks(records: readonly IdMapRecord[]): Promise<void>;
  signal: AbortSignal;
  logger?: Logger;
  observer?: SyncObserver;
  /** Default Date.now. */
  clock?: () => number;
  /** Reads and decisions after version conflicts before the event is dead-lettered. Default 5. */
  maxConflictRetries?: number;
}

/** Checks, at start, that every rule has a target and the target can do what the rule asks. */
export function checkTargets(rules: RuleSet, targets: ReadonlyMap<System, SyncTarget>): string[] {
  const problems: string[] = [];
  for (const { rule } of rules.rules) {
    const target = targets.get(rule.to.system);
    if (target === undefined) {
      problems.push(`rule ${rule.name}: no ${rule.to.system} target is configured`);
      continue;
    }
    if (rule.onDelete === 'archive' && target.archived(rule.to.entity) === undefined) {
      problems.push(`rule ${rule.name}: ${rule.to.system} ${rule.to.entity} cannot be archived`);
    }
    // ZeyOS assigns IDs itself: only a match field keeps a replayed create from making a twin.
    if (rule.to.system === 'zeyos' && rule.match === undefined) {
      problems.push(
        `rule ${rule.name}: a rule into ZeyOS needs match (creates must stay idempotent)`,
      );
    }
  }
  return problems;
}

export function createSyncProcessor(
  deps: SyncProcessorDeps,
): (message: ConsumedMessage) => Promise<void> {
  const logger = deps.logger ?? silentLogger;
  const observer = deps.observer ?? {};
  const clock = deps.clock ?? Date.now;
  const maxConflictRetries = deps.maxConflictRetries ?? 5;
  const tracer = getTracer('@tidemark/sink-sync');

  async function locate(
    compiled: CompiledRule,
    change: Change,
    source: RecordRef,
    target: SyncTarget,
  ): Promise<TargetState | undefined> {
    const { rule } = compiled;
    const linked =
      deps.idMap.targetOf(source, rule.to) ?? (await adoptIntent(rule, change, source));
    if (linked !== undefined)
      return withOwnWrite(rule.to, await target.read(rule.to.entity, linked, deps.signal));
    if (rule.match === undefined || change.after === null) return undefined;
    const value =
      rule.match.sourceField === undefined
        ? change.entityId
        : getPath(sourceView(change.system, change.after), rule.match.sourceField);
    if (typeof value !== 'string' && typeof value !== 'number') return undefined;
    const found = await target.find(
      rule.to.entity,
      rule.match.targetField,
      String(value),
      deps.signal,
    );
    if (found !== undefined) {
      await refuseIfClaimed(compiled, source, found.id);
      await deps.persistLinks(deps.idMap.link(source, { ...rule.to, id: found.id }, clock()));
    }
    return withOwnWrite(rule.to, found);
  }

  /**
   * A record the sink created, whose link was lost to a crash between the create and the link:
   * the intent written ahead of the create names its partner (see IdMap.intend). Found, the
   * link is made now; the partner may be gone since, which the caller then handles like any
   * linked target that is gone.
   */
  async function adoptIntent(
    rule: CompiledRule['rule'],
    change: Change,
    source: RecordRef,
  ): Promise<string | undefined> {
    if (change.after === null) return undefined;
    const view = sourceView(change.system, change.after);
    for (const { rule: reverse } of deps.rules.rules) {
      const intoSource = reverse.to.system === source.system && reverse.to.entity === source.entity;
      const fromTarget =
        reverse.from.system === rule.to.system && reverse.from.entity === rule.to.entity;
      if (!intoSource || !fromTarget || reverse.match === undefined) continue;
      const field = reverse.match.targetField;
      const value = getPath(view, field);
      if (typeof value !== 'string' && typeof value !== 'number') continue;
      const partner = deps.idMap.intended(source, field, String(value), rule.to);
      if (partner === undefined) continue;
      await deps.persistLinks([
        ...deps.idMap.link(source, { ...rule.to, id: partner }, clock()),
        ...deps.idMap.clearIntent(source, field, String(value), rule.to),
      ]);
      return partner;
    }
    return undefined;
  }

  /**
   * A match found a target that is linked to another record of the source's entity already.
   * When that record is gone (deleted, its link left behind), the link moves to this one. When
   * it is still there, two records claim one partner (a duplicate code or reference); linking
   * both would have them overwrite each other for ever, so the event is refused for a person to
   * resolve. Without a client for the source system, a record not known to be deleted counts
   * as still there.
   */
  async function refuseIfClaimed(compiled: CompiledRule, source: RecordRef, targetId: string) {
    const { rule } = compiled;
    const sourceEntity = { system: source.system, entity: source.entity };
    const holder = deps.idMap.targetOf({ ...rule.to, id: targetId }, sourceEntity);
    if (holder === undefined || holder === source.id) return;
    const holderRef = { ...sourceEntity, id: holder };
    if (deps.idMap.deletedAt(holderRef, rule.to) !== undefined) return;
    const sourceSystem = deps.targets.get(source.system);
    if (sourceSystem !== undefined) {
      const current = await sourceSystem.read(source.entity, holder, deps.signal);
      if (current === undefined || isRetired(sourceSystem, source.entity, current)) return;
    }
    const target = `${rule.to.system}/${rule.to.entity}/${targetId}`;
    throw ambiguousMatch(
      `${target}, found by ${rule.match?.targetField ?? 'id'}, is linked to ${source.system}/${source.entity}/${holder} already; ${source.id} has the same value`,
      { target, linkedTo: holder, source: source.id },
    );
  }

  function withOwnWrite(
    entity: { system: System; entity: string },
    state: TargetState | undefined,
  ): TargetState | undefined {
    if (state === undefined) return undefined;
    const ownWriteSource = deps.echoes.ownWriteSource({ ...entity, id: state.id }, state.version);
    return { ...state, ownWriteSource };
  }

  async function execute(
    compiled: CompiledRule,
    source: RecordRef,
    action: SyncAction,
    target: SyncTarget,
    sourceTime: ChangeTime,
  ): Promise<void> {
    const { rule } = compiled;
    switch (action.kind) {
      case 'skip':
        return;
      case 'create': {
        // Deterministic per (source record, target entity): a replayed create finds its record.
        const idHint = uuidV5(
          EVENT_ID_NAMESPACE,
          `sync:${source.system}/${source.entity}/${source.id}>${rule.to.system}/${rule.to.entity}`,
        );
        const intent = intentOf(rule, action.fields);
        if (intent !== undefined) {
          await deps.persistLinks(
            deps.idMap.intend(rule.to, intent.field, intent.value, source, clock()),
          );
        }
        // Taken before the request: the target stamps the change while it handles it.
        const writtenAt = clock();
        const { id, version } = await target.create(
          rule.to.entity,
          action.fields,
          idHint,
          deps.signal,
        );
        deps.echoes.remember({ ...rule.to, id }, action.fields, writtenAt, sourceTime, version);
        await deps.persistLinks([
          ...deps.idMap.link(source, { ...rule.to, id }, clock()),
          ...(intent === undefined
            ? []
            : deps.idMap.clearIntent(rule.to, intent.field, intent.value, source)),
        ]);
        return;
      }
      case 'update': {
        const writtenAt = clock();
        const { version } = await target.update(
          rule.to.entity,
          action.targetId,
          action.fields,
          action.ifVersion,
          deps.signal,
        );
        deps.echoes.remember(
          { ...rule.to, id: action.targetId },
          action.fields,
          writtenAt,
          sourceTime,
          version,
        );
        return;
      }
      case 'delete':
        await target.delete(rule.to.entity, action.targetId, action.ifVersion, deps.signal);
        await deps.persistLinks(deps.idMap.unlink(source, { ...rule.to, id: action.targetId }));
        return;
    }
  }

  /**
   * Why not to create a target that the id map links to but that is gone; undefined when a
   * create is right. Deleted after this change of its partner: the delete wins. Gone with its
   * delete not processed yet, while the sink reads that entity's events: the delete is on its
   * way and decides then (archive the partner, or bring the target back if the partner changed
   * later); a create now would make a twin that the delete cannot reach. Gone where no rule
   * reads that entity: the source is the master, and the record is made again.
   */
  function whyNotRecreate(
    to: { system: System; entity: string },
    source: RecordRef,
    change: Change,
  ): SkipReason | undefined {
    const linked = deps.idMap.targetOf(source, to);
    if (linked === undefined) return undefined;
    const deletedAtMs = deps.idMap.deletedAt({ ...to, id: linked }, source);
    if (deletedAtMs === undefined) {
      const eventsRead = deps.rules.rules.some(
        ({ rule }) => rule.from.system === to.system && rule.from.entity === to.entity,
      );
      return eventsRead ? 'target-gone' : undefined;
    }
    // Ordered like any two changes, so both directions agree (see targetIsNewer).
    const deletedLater = targetIsNewer(
      { system: change.system, ms: Date.parse(change.changedAt) },
      { system: to.system, ms: deletedAtMs },
    );
    return deletedLater ? 'target-deleted' : undefined;
  }

  /**
   * The target won a conflict (it changed after the source): its state is the one both sides
   * must end with. Its own change may already have gone through the rules before the source
   * changed, so it is applied once more, as read now, by the rules that read its system.
   */
  async function reassert(target: SyncTarget, entity: string, current: TargetState) {
    const change: Change = {
      ...target.asChange(current),
      system: target.system,
      instance: 'sync',
      entityType: entity,
      entityId: current.id,
      version: 'reassert',
    };
    for (const compiled of rulesFor(deps.rules, change)) {
      await applyOne(compiled, change, false);
    }
  }

  async function applyOne(
    compiled: CompiledRule,
    change: Change,
    mayReassert = true,
  ): Promise<void> {
    const { rule } = compiled;
    const target = deps.targets.get(rule.to.system);
    if (target === undefined) {
      throw new TidemarkError('CONFIG_INVALID', `rule ${rule.name}: no ${rule.to.system} target`);
    }
    let outcome;
    try {
      outcome = await applyRule(compiled, change);
    } catch (error) {
      if (error instanceof MappingError) {
        throw new TidemarkError('EVENT_INVALID', `rule ${rule.name}: ${error.message}`, {
          details: { rule: rule.name, field: error.field },
        });
      }
      throw error;
    }
    const source: RecordRef = {
      system: change.system,
      entity: change.entityType,
      id: change.entityId,
    };
    for (let attempt = 1; ; attempt++) {
      try {
        const current = await locate(compiled, change, source, target);
        const gone = current === undefined ? whyNotRecreate(rule.to, source, change) : undefined;
        const action: SyncAction =
          gone === undefined
            ? plan(rule, change, outcome, current, target.archived(rule.to.entity))
            : { kind: 'skip', reason: gone };
        await execute(compiled, source, action, target, {
          system: change.system,
          ms: Date.parse(change.changedAt),
        });
        logger.debug('rule applied', {
          rule: rule.name,
          source: `${source.system}/${source.entity}/${source.id}`,
          version: change.version,
          changedAt: change.changedAt,
          action: action.kind === 'skip' ? `skip:${action.reason}` : action.kind,
          // Field names only: values are business data.
          fields: 'fields' in action ? Object.keys(action.fields).join(',') : undefined,
          target: current?.id,
        });
        if (change.op === 'delete') {
          // Its partner's older changes must not bring the pair back (see whyNotRecreate).
          await deps.persistLinks(
            deps.idMap.markDeleted(source, rule.to, Date.parse(change.changedAt)),
          );
        }
        if (action.kind !== 'skip') {
          observer.applied?.(rule.name, action.kind, clock() - Date.parse(change.changedAt));
          return;
        }
        observer.skipped?.(rule.name, action.reason);
        if (action.reason === 'target-newer' && mayReassert && current !== undefined) {
          await reassert(target, rule.to.entity, current);
        }
        return;
      } catch (error) {
        if (isVersionConflict(error) && attempt < maxConflictRetries) {
          observer.conflict?.(rule.name);
          logger.info('version conflict: reading the target again', { rule: rule.name, attempt });
          continue;
        }
        throw withRule(error, rule.name);
      }
    }
  }

  return async (message) => {
    const received = messageToEvent(message);
    if (!received.ok) {
      throw new TidemarkError('EVENT_INVALID', 'not a Tidemark change event', {
        cause: received.error,
      });
    }
    const { event, traceContext } = received;
    const change = event.data;
    const rules = rulesFor(deps.rules, change);
    if (rules.length === 0) return;
    if (deps.echoes.consumeEcho(change)) {
      logger.debug('echo', {
        source: `${change.system}/${change.entityType}/${change.entityId}`,
        version: change.version,
      });
      observer.echo?.(change.system, change.entityType);
      return;
    }
    await withCorrelationId(event.correlationid ?? newCorrelationId(), () =>
      withSpan(
        tracer,
        `sync ${change.system}.${change.entityType}`,
        {
          kind: 'consumer',
          parent: traceContext,
          attributes: { 'tidemark.event.id': event.id, 'tidemark.record': change.entityId },
        },
        async () => {
          for (const compiled of rules) await applyOne(compiled, change);
        },
      ),
    );
  };
}

/** The match value a created record will carry, under which its intent is written. */
function intentOf(
  rule: CompiledRule['rule'],
  fields: JsonObject,
): { field: string; value: string } | undefined {
  if (rule.match === undefined) return undefined;
  const value = getPath(fields, rule.match.targetField);
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  return { field: rule.match.targetField, value: String(value) };
}

/** Whether a record is deleted or archived, as its system shows that. */
function isRetired(system: SyncTarget, entity: string, state: TargetState): boolean {
  if (system.asChange(state).op === 'delete') return true;
  const archived = system.archived(entity);
  return archived !== undefined && holds(system.system, state.record, archived);
}

/**
 * The error with the rule named in its message, code unchanged. A 401 is made retryable: the
 * client signed in again already and was still refused, which is the connection's state, not
 * the event's (ZeyOS keeps one token per user, so another service signed in as the same user
 * takes it away; or the credentials were revoked). Dead-lettering would refuse every event
 * until someone noticed; waiting keeps them, and the logs say why.
 */
function withRule(error: unknown, rule: string): unknown {
  if (!isTidemarkError(error)) return error;
  const retryable = error.retryable || error.code === 'HTTP_UNAUTHORIZED';
  const named = error.message.startsWith(`rule ${rule}:`);
  if (named && retryable === error.retryable) return error;
  return new TidemarkError(error.code, named ? error.message : `rule ${rule}: ${error.message}`, {
    retryable,
    cause: error,
    details: { ...error.details, rule },
    ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
  });
}
