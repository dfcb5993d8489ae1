import type { AgentConfig } from '../config/agent-config';
import type { Logger } from '../telemetry/logger';
import { ExternalProvider } from './external-provider';
import { KwokctlProvider } from './kwokctl-provider';
import type { MainClusterProvider } from './main-cluster-provider';

/** The provider the configuration asks for. */
export function createMainClusterProvider(config: AgentConfig, logger: Logger): MainClusterProvider {
  if (config.MainClusterProvider === 'external') return new ExternalProvider(config.MainKubeconfig);
  return new KwokctlProvider({
    name: config.MainClusterName,
    apiPort: config.MainAPIPort,
    workdir: config.KwokWorkdir || undefined,
    binaries: { binDir: config.KubeBinDir || undefined, homeDir: config.HomeDir },
    logger,
  });
}
