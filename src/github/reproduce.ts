// The commands that reproduce a repair locally, for the pull request body. The CLI is not on the npm registry yet, so
// it runs from a clone (the bundle is committed: no install step); once published this becomes `npx ci-medic`.
import type { RepairConfig } from '../config.js';
import { shellQuote } from '../terminal/quote.js';

export const CLI_REPOSITORY = 'https://github.com/ci-medic/ci-medic';

export function reproduceCommand(config: Pick<RepairConfig, 'check' | 'setup' | 'provider' | 'model'>): string {
  const args = ['repair', '--check', shellQuote(config.check)];
  if (config.setup) args.push('--setup', shellQuote(config.setup));
  const provider = config.provider;
  if (provider && provider.name !== 'anthropic') {
    args.push('--provider', provider.name);
    if (provider.name === 'bedrock' && provider.region) args.push('--aws-region', provider.region);
    if (provider.name === 'vertex' && provider.region) args.push('--vertex-region', provider.region);
    if (provider.name === 'vertex' && provider.projectId) args.push('--vertex-project-id', provider.projectId);
    if (provider.name === 'foundry' && provider.resource) args.push('--foundry-resource', provider.resource);
  }
  args.push('--model', shellQuote(config.model));
  return [
    `git clone --depth 1 ${CLI_REPOSITORY} /tmp/ci-medic   # the CLI (Node 24, git, tmux); no install step`,
    `node /tmp/ci-medic/dist/cli/index.js ${args.join(' ')}`,
  ].join('\n');
}
