/**
 * Roles keyed by public key: `owner` > `admin` > `user` > `banned`, from the
 * config (globally and per conference) plus changes made at runtime (e.g. by a
 * moderation plugin, which persists its own list). Resolution for a key, in a
 * conference or not: global owner, else global banned, else the conference's
 * entry, else the global entry, else the configured default (`user`, or
 * `banned` for an allow-list bot).
 */
import { z } from 'zod';
import { InvalidArgumentError } from '../../base/index.js';
import { conferenceId, publicKeyHex, type ConferenceId, type PublicKeyHex } from '../events.js';
import type { BotContext } from './context.js';
import type { MiddlewareFn } from './composer.js';

export const ROLES = ['banned', 'user', 'admin', 'owner'] as const;
export type Role = (typeof ROLES)[number];

const RANK: Record<Role, number> = { banned: 0, user: 1, admin: 2, owner: 3 };

/** True when `role` grants at least what `required` does. */
export function hasRole(role: Role, required: Role): boolean {
  return RANK[role] >= RANK[required];
}

function parseWith<T>(parse: (v: string) => T) {
  return (value: string, ctx: z.RefinementCtx): T => {
    try {
      return parse(value);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
      return z.NEVER;
    }
  };
}

/** A public key as 64 hex characters, or a whole 76-character Tox ID. */
export const publicKeySchema = z.string().transform(parseWith(publicKeyHex));
export const conferenceIdSchema = z.string().transform(parseWith(conferenceId));

const keyList = z.array(publicKeySchema).default([]);

type Listing = { readonly [R in Role]?: readonly PublicKeyHex[] };

/** Reports keys listed under two roles in the same scope. */
function noDuplicates(listing: Listing, ctx: z.RefinementCtx): void {
  const seen = new Map<string, Role>();
  for (const role of ROLES) {
    (listing[role] ?? []).forEach((key, i) => {
      const other = seen.get(key);
      if (other) ctx.addIssue({ code: 'custom', path: [role, i], message: `${key} is already listed as ${other}` });
      else seen.set(key, role);
    });
  }
}

export const conferencePermissionsSchema = z
  .object({ admin: keyList, user: keyList, banned: keyList })
  .strict()
  .superRefine(noDuplicates);

export const permissionsSchema = z
  .object({
    owner: keyList,
    admin: keyList,
    user: keyList,
    banned: keyList,
    /** Role of keys listed nowhere. */
    default: z.enum(['user', 'banned']).default('user'),
    /** Per-conference roles, keyed by conference id (64 hex). */
    conferences: z.record(z.string(), conferencePermissionsSchema).default({}),
  })
  .strict()
  .superRefine((value, ctx) => {
    noDuplicates(value, ctx);
    for (const id of Object.keys(value.conferences)) {
      const parsed = conferenceIdSchema.safeParse(id);
      if (!parsed.success) ctx.addIssue({ code: 'custom', path: ['conferences', id], message: 'a conference id is 64 hexadecimal characters' });
    }
  });

export type PermissionsConfig = z.input<typeof permissionsSchema>;
export type PermissionsSettings = z.output<typeof permissionsSchema>;

export class Permissions {
  private readonly global = new Map<PublicKeyHex, Role>();
  private readonly perConference = new Map<ConferenceId, Map<PublicKeyHex, Role>>();
  private readonly fallback: Role;

  /** From already-validated settings (see `permissionsSchema`); nothing given means everyone is a `user`. */
  constructor(settings?: PermissionsSettings) {
    this.fallback = settings?.default ?? 'user';
    if (!settings) return;
    for (const role of ROLES) for (const key of settings[role]) this.global.set(key, role);
    for (const [id, listing] of Object.entries(settings.conferences)) {
      for (const role of ['admin', 'user', 'banned'] as const) for (const key of listing[role]) this.set(key, role, { conference: conferenceId(id) });
    }
  }

  /** Validates raw config (e.g. from a bot file) and builds the permissions; errors name the path. */
  static fromConfig(config: PermissionsConfig | undefined): Permissions {
    const parsed = permissionsSchema.safeParse(config ?? {});
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `permissions.${i.path.map(String).join('.')}: ${i.message}`);
      throw new InvalidArgumentError(`invalid permissions\n${problems.join('\n')}`, { problems });
    }
    return new Permissions(parsed.data);
  }

  roleOf(key: PublicKeyHex | undefined, conference?: ConferenceId): Role {
    if (key === undefined) return 'user';
    const global = this.global.get(key);
    if (global === 'owner' || global === 'banned') return global;
    const local = conference !== undefined ? this.perConference.get(conference)?.get(key) : undefined;
    return local ?? global ?? this.fallback;
  }

  /** Gives `key` a role, globally or in one conference (only the global scope has owners). */
  set(key: PublicKeyHex, role: Role, scope: { conference?: ConferenceId } = {}): void {
    if (scope.conference === undefined) {
      this.global.set(key, role);
      return;
    }
    if (role === 'owner') throw new InvalidArgumentError('owners are global; a conference cannot add one');
    let map = this.perConference.get(scope.conference);
    if (!map) this.perConference.set(scope.conference, (map = new Map()));
    map.set(key, role);
  }

  /** Removes an explicit role so the key falls back to the wider scope or the default. */
  clear(key: PublicKeyHex, scope: { conference?: ConferenceId } = {}): void {
    if (scope.conference === undefined) this.global.delete(key);
    else this.perConference.get(scope.conference)?.delete(key);
  }

  /** Keys with an explicit role in a scope. */
  listed(scope: { conference?: ConferenceId } = {}): ReadonlyMap<PublicKeyHex, Role> {
    return new Map(scope.conference === undefined ? this.global : this.perConference.get(scope.conference));
  }
}

/**
 * Middleware that lets only senders with at least `role` through. Others are
 * dropped silently, or told so when `deny: 'reply'` (only where a reply is possible).
 */
export function requireRole<C extends BotContext>(role: Role, options: { deny?: 'silent' | 'reply' } = {}): MiddlewareFn<C> {
  return async (ctx, next) => {
    if (hasRole(ctx.role, role)) return next();
    if (options.deny === 'reply' && ctx.canReply) await ctx.reply(`Sorry, this needs the ${role} role.`);
  };
}
