/**
 * Event queries for `on(...)`: an exact kind (`'friend.message'`), a prefix
 * (`'conference.*'`, `'conference.peer.*'`), `'*'`, or an array of these. The
 * same query narrows the context type (`KindsOf`) and, at runtime, compiles to
 * a set lookup (`kindMatcher`); unknown kinds are rejected when the handler is
 * registered, not silently never matched.
 */
import { InvalidArgumentError } from '../../base/index.js';
import { BOT_EVENT_KINDS, type BotEventKind } from '../events.js';

type PrefixesOf<K extends string> = K extends `${infer Head}.${infer Tail}` ? Head | `${Head}.${PrefixesOf<Tail>}` : never;

/** Every proper prefix of a kind: 'friend', 'friend.file', 'conference', 'conference.peer', ... */
export type EventPrefix = PrefixesOf<BotEventKind>;

export type EventQuery = BotEventKind | `${EventPrefix}.*` | '*';

/** The kinds a query selects. */
export type KindsOf<Q extends EventQuery> = Q extends '*'
  ? BotEventKind
  : Q extends `${infer P}.*`
    ? Extract<BotEventKind, `${P}.${string}`>
    : Extract<Q, BotEventKind>;

/** The set of kinds a query (or list of queries) selects; throws on a query that selects nothing. */
export function kindsOf(query: EventQuery | readonly EventQuery[]): ReadonlySet<BotEventKind> {
  const queries: readonly string[] = typeof query === 'string' ? [query] : query;
  if (queries.length === 0) throw new InvalidArgumentError('an event query needs at least one kind');
  const out = new Set<BotEventKind>();
  for (const q of queries) {
    const prefix = q.endsWith('.*') ? q.slice(0, -1) : undefined;
    const matched = BOT_EVENT_KINDS.filter((k) => q === '*' || (prefix !== undefined ? k.startsWith(prefix) : k === q));
    if (matched.length === 0) throw new InvalidArgumentError(`unknown event query "${q}"`, { known: BOT_EVENT_KINDS });
    matched.forEach((k) => out.add(k));
  }
  return out;
}

/** A predicate over kinds for a query. */
export function kindMatcher(query: EventQuery | readonly EventQuery[]): (kind: BotEventKind) => boolean {
  const kinds = kindsOf(query);
  return (kind) => kinds.has(kind);
}
