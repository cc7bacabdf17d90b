/**
 * `tocsin run --console`: an identity's plugins on an in-memory node
 * (`MemoryBotNode`), driven from a text stream. Each input line is a message
 * from the current speaker, a friend of the bot (at first `console`); lines
 * starting with `/` are console commands (speak as someone else, friend
 * requests, conferences, roles). Everything the bot sends or does is printed
 * as it happens. Nothing touches the network or the identity's profile, and
 * plugin stores live in memory. Ends at `/quit` or the end of the input,
 * after the replies still queued have gone out.
 */
import { createInterface } from 'node:readline';
import { type Logger, type Random, type Scheduler } from '../../base/index.js';
import { MemoryBotNode, PluginHost, Permissions, ROLES, testPublicKey, type LoadedPlugin, type MessageType, type Role, type SendResult } from '../bot/index.js';
import type { IdentityConfig } from '../config/index.js';
import { conferenceId, type BotEvent, type ConferenceId, type ConferenceRef, type FriendRef, type PeerRef, type PublicKeyHex } from '../events.js';
import type { TextIn, TextOut } from './common.js';

export interface ConsoleOptions {
  identity: IdentityConfig;
  identityIndex: number;
  plugins: readonly LoadedPlugin[];
  input: TextIn;
  output: TextOut;
  scheduler: Scheduler;
  random: Random;
  log: Logger;
  /** Upper bound on waiting for queued replies at the end (default 10 s). */
  drainTimeoutMs?: number;
}

const HELP = `console commands (other lines are messages from the current speaker):
  /as <name>                  speak as <name> (a new name becomes a friend of the bot)
  /me <text>                  an action (/me) from the current speaker
  /request <name> [message]   <name>, not a friend yet, sends the bot a friend request
  /conference create [title]  a conference the bot is in, with the current speaker as peer
  /conference invite          the current speaker invites the bot to a new conference
  /conference join            the current speaker joins the current conference
  /conference leave           the current speaker leaves the current conference
  /conference use <number>    make another conference current
  /say <text>                 a conference message (also /conference say <text>)
  /role <${ROLES.join('|')}>   the current speaker's role
  /who                        speakers, friends and conferences
  /help                       this list; the bot's own commands: !help
  /quit                       stop (so does the end of the input)`;

/** The memory node, printing everything the bot sends and does. */
class ConsoleNode extends MemoryBotNode {
  constructor(
    private readonly print: (line: string) => void,
    private readonly nameOf: (key: PublicKeyHex) => string,
    self: ConstructorParameters<typeof MemoryBotNode>[0],
  ) {
    super(self);
  }

  override async sendFriendMessage(publicKey: PublicKeyHex, text: string, type: MessageType): Promise<SendResult> {
    const result = await super.sendFriendMessage(publicKey, text, type);
    if (result.ok) this.print(`bot → ${this.nameOf(publicKey)}: ${type === 'action' ? '* ' : ''}${text}`);
    return result;
  }

  override async sendConferenceMessage(id: ConferenceId, text: string, type: MessageType): Promise<SendResult> {
    const result = await super.sendConferenceMessage(id, text, type);
    if (result.ok) this.print(`bot → #${this.conference(id)?.number ?? '?'}: ${type === 'action' ? '* ' : ''}${text}`);
    return result;
  }

  override async acceptFriendRequest(publicKey: PublicKeyHex): Promise<FriendRef> {
    const name = this.nameOf(publicKey);
    const friend = this.friend(publicKey) ?? this.addTestFriend(name, publicKey);
    this.actions.push({ method: 'acceptFriendRequest', args: [publicKey] });
    this.print(`-- bot accepted the friend request of ${name}`);
    return { publicKey: friend.publicKey, number: friend.number, name: friend.name };
  }

  override async addFriend(toxId: string, message: string): Promise<FriendRef> {
    const friend = await super.addFriend(toxId, message);
    this.print(`-- bot sent a friend request to ${toxId}: ${message}`);
    return friend;
  }

  override async deleteFriend(publicKey: PublicKeyHex): Promise<void> {
    await super.deleteFriend(publicKey);
    this.print(`-- bot removed its friend ${this.nameOf(publicKey)}`);
  }

  override async joinConference(friend: PublicKeyHex, cookie: Uint8Array): Promise<ConferenceRef> {
    const ref = await super.joinConference(friend, cookie);
    this.print(`-- bot joined conference #${ref.number} (invited by ${this.nameOf(friend)})`);
    return ref;
  }

  override async createConference(): Promise<ConferenceRef> {
    const ref = await super.createConference();
    this.print(`-- bot created conference #${ref.number}`);
    return ref;
  }

  override async leaveConference(id: ConferenceId): Promise<void> {
    const number = this.conference(id)?.number;
    await super.leaveConference(id);
    this.print(`-- bot left conference #${number ?? '?'}`);
  }

  override async inviteToConference(friend: PublicKeyHex, id: ConferenceId): Promise<void> {
    await super.inviteToConference(friend, id);
    this.print(`-- bot invited ${this.nameOf(friend)} to conference #${this.conference(id)?.number ?? '?'}`);
  }

  override async setConferenceTitle(id: ConferenceId, title: string): Promise<void> {
    await super.setConferenceTitle(id, title);
    this.print(`-- bot set the title of conference #${this.conference(id)?.number ?? '?'} to "${title}"`);
  }
}

/** Console state: speakers by name, the current speaker and conference. */
class ConsoleSession {
  readonly node: ConsoleNode;
  readonly host: PluginHost;
  private readonly keys = new Map<string, PublicKeyHex>();
  private readonly names = new Map<PublicKeyHex, string>();
  private readonly peers = new Map<ConferenceId, Map<PublicKeyHex, PeerRef>>();
  private speaker = 'console';
  private current: ConferenceRef | undefined;
  private nextKey = 0x5000;
  private nextCookie = 1;

  constructor(private readonly options: ConsoleOptions) {
    const { identity } = options;
    this.node = new ConsoleNode((line) => this.print(line), (key) => this.names.get(key) ?? key.slice(0, 8), {
      name: identity.name,
      statusMessage: identity.statusMessage,
      status: identity.status,
    });
    this.host = new PluginHost({
      node: this.node,
      scheduler: options.scheduler,
      random: options.random,
      log: options.log,
      plugins: options.plugins,
      permissions: Permissions.fromConfig(identity.permissions),
      commandPrefix: identity.commandPrefix,
      configPath: `identities[${options.identityIndex}].plugins`,
    });
  }

  get speakerName(): string {
    return this.speaker;
  }

  print(line: string): void {
    this.options.output.write(`${line}\n`);
  }

  async start(): Promise<void> {
    await this.host.start();
    this.befriend(this.speaker);
    const plugins = this.options.plugins.map((p) => p.id ?? p.plugin.name);
    this.print(`console: identity ${this.options.identity.id} (${plugins.join(', ') || 'no plugins'}) on an in-memory node; you are "console". /help lists commands.`);
  }

  private keyOf(name: string): PublicKeyHex {
    let key = this.keys.get(name);
    if (!key) {
      key = testPublicKey(this.nextKey++);
      this.keys.set(name, key);
      this.names.set(key, name);
    }
    return key;
  }

  private befriend(name: string): FriendRef {
    const key = this.keyOf(name);
    const known = this.node.friend(key);
    return known ? { publicKey: known.publicKey, number: known.number, name: known.name } : this.node.addTestFriend(name, key);
  }

  private friendOf(name: string): FriendRef | undefined {
    const info = this.node.friend(this.keyOf(name));
    return info && { publicKey: info.publicKey, number: info.number, name: info.name };
  }

  private emit(event: BotEvent): Promise<void> {
    return this.host.handle(event);
  }

  /** Handles one input line; returns false at /quit. */
  async line(raw: string): Promise<boolean> {
    const text = raw.replace(/\r$/, '');
    if (!text.startsWith('/') || text.startsWith('//')) {
      if (text.trim() === '') return true;
      const friend = this.friendOf(this.speaker);
      if (!friend) this.print(`-- ${this.speaker} is not a friend of the bot (the friend request was not accepted)`);
      else await this.emit({ kind: 'friend.message', friend, text: text.startsWith('//') ? text.slice(1) : text });
      return true;
    }
    const [command = '', ...words] = text.slice(1).split(/\s+/);
    const rest = text.slice(1 + command.length).trim();
    switch (command) {
      case 'quit':
      case 'exit':
        return false;
      case 'help':
        this.print(HELP);
        return true;
      case 'as':
        return this.as(rest);
      case 'me': {
        const friend = this.friendOf(this.speaker);
        if (!friend) this.print(`-- ${this.speaker} is not a friend of the bot`);
        else await this.emit({ kind: 'friend.action', friend, text: rest });
        return true;
      }
      case 'request':
        return this.request(words[0], rest.slice((words[0] ?? '').length).trim());
      case 'conference':
        return this.conferenceCommand(words[0] ?? '', rest.slice((words[0] ?? '').length).trim());
      case 'say':
        return this.say(rest);
      case 'role':
        return this.role(rest);
      case 'who':
        this.who();
        return true;
      default:
        this.print(`-- unknown console command /${command} (/help lists them; start a line with // to send a literal /)`);
        return true;
    }
  }

  private as(name: string): boolean {
    if (name === '') {
      this.print(`-- you are ${this.speaker}`);
      return true;
    }
    const isNew = !this.keys.has(name);
    this.speaker = name;
    if (isNew) this.befriend(name);
    this.print(`-- you are ${name}${isNew ? ' (a new friend of the bot)' : ''}`);
    return true;
  }

  private async request(name: string | undefined, message: string): Promise<boolean> {
    if (name === undefined) {
      this.print('-- usage: /request <name> [message]');
      return true;
    }
    if (this.keys.has(name) && this.friendOf(name)) {
      this.print(`-- ${name} is already a friend of the bot`);
      return true;
    }
    const publicKey = this.keyOf(name);
    await this.emit({ kind: 'friend.request', publicKey, message });
    if (!this.friendOf(name)) this.print(`-- the bot did not accept ${name}'s request`);
    else this.print(`-- /as ${name} to speak as them`);
    return true;
  }

  private async conferenceCommand(sub: string, rest: string): Promise<boolean> {
    const speaker = this.friendOf(this.speaker);
    switch (sub) {
      case 'create': {
        const ref = this.node.addTestConference(rest);
        this.peers.set(ref.id, new Map());
        this.current = ref;
        this.print(`-- conference #${ref.number}${rest ? ` "${rest}"` : ''} with the bot in it is current`);
        await this.join();
        return true;
      }
      case 'invite': {
        if (!speaker) {
          this.print(`-- ${this.speaker} is not a friend of the bot; only friends can invite`);
          return true;
        }
        const before = new Set(this.node.conferences().map((c) => c.id));
        const id = conferenceId(testPublicKey(0x20000 + this.nextCookie));
        const cookie = new Uint8Array([this.nextCookie++]);
        await this.emit({ kind: 'conference.invite', friend: speaker, conferenceId: id, conferenceType: 'text', cookie });
        const joined = this.node.conferences().find((c) => !before.has(c.id));
        if (!joined) {
          this.print('-- the bot did not join (no plugin accepted the invite)');
          return true;
        }
        this.current = { id: joined.id, number: joined.number };
        this.peers.set(joined.id, new Map());
        await this.emit({ kind: 'conference.connected', conference: this.current });
        await this.join();
        return true;
      }
      case 'join':
        if (this.requireConference()) await this.join();
        return true;
      case 'leave': {
        const conference = this.requireConference();
        const peer = conference && this.peers.get(conference.id)?.get(this.keyOf(this.speaker));
        if (!conference || !peer) this.print(`-- ${this.speaker} is not in the current conference`);
        else {
          this.peers.get(conference.id)!.delete(peer.publicKey);
          this.node.removeTestPeer(conference.id, peer.publicKey);
          await this.emit({ kind: 'conference.peer.leave', conference, peer, reason: 'left' });
          this.print(`-- ${this.speaker} left conference #${conference.number}`);
        }
        return true;
      }
      case 'use': {
        const found = this.node.conferences().find((c) => String(c.number) === rest);
        if (!found) this.print(`-- no conference #${rest} (/who lists them)`);
        else {
          this.current = { id: found.id, number: found.number };
          this.print(`-- conference #${found.number} is current`);
        }
        return true;
      }
      case 'say':
        return this.say(rest);
      default:
        this.print('-- usage: /conference create [title] | invite | join | leave | use <number> | say <text>');
        return true;
    }
  }

  private requireConference(): ConferenceRef | undefined {
    if (this.current && this.node.conference(this.current.id)) return this.current;
    this.print('-- no current conference: /conference create or /conference invite first');
    return undefined;
  }

  /** The current speaker joins the current conference (if not in it yet). */
  private async join(): Promise<void> {
    const conference = this.current!;
    const key = this.keyOf(this.speaker);
    const members = this.peers.get(conference.id)!;
    if (members.has(key)) {
      this.print(`-- ${this.speaker} is already in conference #${conference.number}`);
      return;
    }
    const peer = this.node.addTestPeer(conference.id, this.speaker, key);
    members.set(key, peer);
    await this.emit({ kind: 'conference.peer.join', conference, peer });
    this.print(`-- ${this.speaker} joined conference #${conference.number}`);
  }

  private async say(text: string): Promise<boolean> {
    const conference = this.requireConference();
    if (!conference) return true;
    const peer = this.peers.get(conference.id)?.get(this.keyOf(this.speaker));
    if (!peer) this.print(`-- ${this.speaker} is not in conference #${conference.number} (/conference join)`);
    else await this.emit({ kind: 'conference.message', conference, peer, text });
    return true;
  }

  private role(role: string): boolean {
    if (!(ROLES as readonly string[]).includes(role)) {
      this.print(`-- usage: /role <${ROLES.join('|')}>`);
      return true;
    }
    this.host.permissions.set(this.keyOf(this.speaker), role as Role);
    this.print(`-- ${this.speaker} is now ${role}`);
    return true;
  }

  private who(): void {
    const friends = this.node.friends().map((f) => `${f.name}${f.name === this.speaker ? ' (you)' : ''} [${this.host.permissions.roleOf(f.publicKey)}]`);
    this.print(`-- friends of the bot: ${friends.join(', ') || 'none'}`);
    for (const c of this.node.conferences()) {
      // The console's own membership: MemoryBotNode keeps peers that left in its list.
      const peers = ['bot', ...[...(this.peers.get(c.id)?.values() ?? [])].map((p) => p.name)];
      this.print(`-- conference #${c.number}${c.title ? ` "${c.title}"` : ''}${c.id === this.current?.id ? ' (current)' : ''}: ${peers.join(', ')}`);
    }
  }

  /** Waits (on the scheduler) until the outbox is empty or `timeoutMs` passed. */
  async drain(timeoutMs: number): Promise<void> {
    const step = 20;
    for (let waited = 0; this.host.outbox.pending() > 0 && waited < timeoutMs; waited += step) {
      await new Promise<void>((resolve) => this.options.scheduler.after(step, resolve));
    }
  }
}

/** Runs the console until `/quit` or the end of `input`. */
export async function runConsole(options: ConsoleOptions): Promise<void> {
  const session = new ConsoleSession(options);
  await session.start();
  const rl = createInterface({ input: options.input, crlfDelay: Infinity, terminal: false });
  // On a terminal, a prompt naming the current speaker; piped input gets none.
  const prompt = (): void => void (options.input.isTTY && options.output.write(`${session.speakerName}> `));
  try {
    prompt();
    for await (const line of rl) {
      if (!(await session.line(line))) break;
      prompt();
    }
  } finally {
    rl.close();
    await session.drain(options.drainTimeoutMs ?? 10_000);
    await session.host.stop();
  }
}
