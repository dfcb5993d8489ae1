/**
 * The other agents the user added to this one's UI: added by URL and access
 * token (checked by connecting before anything is kept), removed by name,
 * kept across restarts in <home>/agents.json with each token sealed. Calls
 * to an agent are relayed as they are; its events are relayed tagged with
 * its name. An agent's own relays are not passed on, so agents that list
 * each other do not echo.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddAgentRequest, AgentEvent, AgentInfo } from '../../../shared/agents';
import { isRequestChannel, type EngineInfo, type RequestChannel } from '../../../shared/channels';
import { EngineError } from '../../../shared/errors';
import type { SecretCipher } from '../store/secret-box';
import type { Logger } from '../telemetry/logger';
import { PeerAgent } from './peer-agent';

/** More would be a fleet the UI cannot show usefully in one table. */
const MAX_AGENTS = 32;
const NAME = /^[A-Za-z0-9][-A-Za-z0-9_.:]{0,62}$/;

interface SavedAgent {
  name: string;
  url: string;
  /** Sealed with the state cipher. */
  token: string;
}

export interface PeerAgentsOptions {
  homeDir: string;
  cipher: SecretCipher;
  logger: Logger;
  /** This engine's own instance, so the UI cannot add the agent it is already showing. */
  selfInstanceId: string;
  onEvent(event: AgentEvent): void;
  onChanged(agents: AgentInfo[]): void;
}

export class PeerAgents {
  private readonly agents = new Map<string, { peer: PeerAgent; token: string; version?: string }>();
  private readonly path: string;

  constructor(private readonly options: PeerAgentsOptions) {
    this.path = join(options.homeDir, 'agents.json');
  }

  list(): AgentInfo[] {
    return [...this.agents.values()].map(({ peer, version }) => ({
      name: peer.name,
      url: peer.url,
      connected: peer.connected,
      ...(peer.error && !peer.connected ? { error: peer.error } : {}),
      ...(version ? { version } : {}),
    }));
  }

  /** Connects to the agent first: a wrong address or token is an error and nothing is kept. */
  async add(request: AddAgentRequest): Promise<AgentInfo> {
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      throw new EngineError(
        'invalid',
        `agents.add: "url" must be an http(s) URL such as http://10.0.0.7:9090, got ${JSON.stringify(request.url)}`,
      );
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new EngineError('invalid', `agents.add: "url" must use http:// or https://, got ${url.protocol}`);
    const base = url.origin;
    const name = request.name ?? url.host;
    if (!NAME.test(name))
      throw new EngineError(
        'invalid',
        'agents.add: "name" must be 1 to 63 letters, digits, "-", "_", "." or ":"',
      );
    if (this.agents.has(name)) throw new EngineError('conflict', `an agent named ${name} is already added`);
    if ([...this.agents.values()].some((a) => a.peer.url === base))
      throw new EngineError('conflict', `the agent at ${base} is already added`);
    if (this.agents.size >= MAX_AGENTS)
      throw new EngineError('invalid', `at most ${MAX_AGENTS} agents can be added`);
    const token = request.token ?? '';
    const peer = this.makePeer(name, base, token);
    try {
      await peer.connect();
      const info = (await peer.call('engine.info', undefined)) as EngineInfo;
      if (info.instanceId === this.options.selfInstanceId)
        throw new EngineError('invalid', `${base} is this agent itself: its clusters are already shown`);
      this.agents.set(name, { peer, token, version: info.version });
    } catch (err) {
      peer.close();
      throw err;
    }
    this.save();
    this.options.logger.info({ agent: name, url: base }, `Added agent ${name} (${base}) to the UI`);
    this.changed();
    return this.list().find((a) => a.name === name)!;
  }

  remove(name: string): void {
    const entry = this.agents.get(name);
    if (!entry) throw new EngineError('not_found', `no agent named ${name}`);
    entry.peer.close();
    this.agents.delete(name);
    this.save();
    this.options.logger.info({ agent: name }, `Removed agent ${name} from the UI`);
    this.changed();
  }

  async call(agent: string, channel: unknown, request: unknown): Promise<unknown> {
    if (!isRequestChannel(channel))
      throw new EngineError('invalid', `agents.call: unknown channel ${JSON.stringify(channel)}`);
    if (channel.startsWith('agents.'))
      throw new EngineError(
        'invalid',
        'agents.call: agents.* channels are not relayed (an agent manages its own list)',
      );
    const entry = this.agents.get(agent);
    if (!entry) throw new EngineError('not_found', `no agent named ${agent}`);
    return entry.peer.call(channel as RequestChannel, request);
  }

  /** Reconnects to the agents kept from before; one that cannot be reached stays listed with why. */
  restore(): void {
    if (!existsSync(this.path)) return;
    let saved: SavedAgent[];
    try {
      saved = JSON.parse(readFileSync(this.path, 'utf8')) as SavedAgent[];
    } catch (err) {
      this.options.logger.error({ err }, `${this.path} is unreadable; no other agents restored`);
      return;
    }
    for (const s of saved) {
      const token = this.unseal(s);
      if (token === undefined) continue;
      const peer = this.makePeer(s.name, s.url, token);
      this.agents.set(s.name, { peer, token });
      void peer.connect().then(
        async () => {
          const info = (await peer.call('engine.info', undefined)) as EngineInfo;
          const entry = this.agents.get(s.name);
          if (entry) entry.version = info.version;
          this.changed();
        },
        () => this.changed(),
      );
    }
  }

  close(): void {
    for (const { peer } of this.agents.values()) peer.close();
  }

  private unseal(saved: SavedAgent): string | undefined {
    try {
      return saved.token ? this.options.cipher.decrypt(saved.token) : '';
    } catch {
      this.options.logger.error(
        { agent: saved.name },
        `cannot unseal the access token of agent ${saved.name}; add it again`,
      );
      return undefined;
    }
  }

  private makePeer(name: string, url: string, token: string): PeerAgent {
    return new PeerAgent({
      name,
      url,
      token,
      onEvent: (channel, payload) => {
        if (!this.agents.has(name) || channel.startsWith('agents.')) return;
        this.options.onEvent({ agent: name, channel, payload });
      },
      onState: () => {
        if (this.agents.has(name)) this.changed();
      },
    });
  }

  private changed(): void {
    this.options.onChanged(this.list());
  }

  private save(): void {
    const saved: SavedAgent[] = [...this.agents.values()].map(({ peer, token }) => ({
      name: peer.name,
      url: peer.url,
      token: token ? this.options.cipher.encrypt(token) : '',
    }));
    const tmp = `${this.path}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(saved, null, 2)}\n`, { mode: 0o600 });
    renameSync(tmp, this.path);
  }
}
