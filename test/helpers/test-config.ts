import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig, type AgentConfig } from '../../src/main/engine/config/agent-config';

/** The default configuration with a fresh home folder: tests never touch ~/.scale-cluster-agent. */
export function testConfig(overrides: Partial<AgentConfig> = {}): AgentConfig {
  return { ...defaultConfig(), HomeDir: mkdtempSync(join(tmpdir(), 'sca-home-')), ...overrides };
}
