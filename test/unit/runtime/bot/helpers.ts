/** Shared fixtures for the bot runtime tests: a context factory over MemoryBotNode and sample events. */
import { ManualScheduler, silentLogger } from '../../../../src/base/index.js';
import {
  BotContext, MemoryBotNode, Outbox, Permissions, type PermissionsConfig,
} from '../../../../src/runtime/bot/index.js';
import type { BotEvent, ConferenceRef, FriendRef, PeerRef } from '../../../../src/runtime/events.js';

export interface Fixture {
  readonly node: MemoryBotNode;
  readonly scheduler: ManualScheduler;
  readonly outbox: Outbox;
  readonly permissions: Permissions;
  readonly alice: FriendRef;
  readonly room: ConferenceRef;
  readonly bob: PeerRef;
  ctx(event: BotEvent): BotContext;
}

export function fixture(options: { permissions?: PermissionsConfig; prefix?: string } = {}): Fixture {
  const node = new MemoryBotNode();
  const scheduler = new ManualScheduler();
  const outbox = new Outbox({ node, scheduler, log: silentLogger() });
  const permissions = Permissions.fromConfig(options.permissions);
  const alice = node.addTestFriend('alice');
  const room = node.addTestConference('room');
  const bob = node.addTestPeer(room.id, 'bob');
  const deps = { node, outbox, permissions, commandPrefix: options.prefix ?? '!', log: silentLogger() };
  return { node, scheduler, outbox, permissions, alice, room, bob, ctx: (event) => new BotContext(event, deps) };
}

export function friendMessage(friend: FriendRef, text: string): BotEvent {
  return { kind: 'friend.message', friend, text };
}

export function conferenceMessage(conference: ConferenceRef, peer: PeerRef, text: string): BotEvent {
  return { kind: 'conference.message', conference, peer, text };
}
