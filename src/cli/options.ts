// Option sets several commands take, defined once with what turns their values into settings: the command policy's
// flags (repair, run, policy) and the agent session's name (repair, run, capture, rescue). The sandbox's flags are in
// sandbox.ts, beside the code that starts it.
import { DEFAULT_SESSION_NAME, parseSessionName, type PolicySettings } from '../config.js';
import { policyConfigFrom, type PolicyConfig, type PolicyInputNames } from '../policy/index.js';

export const POLICY_OPTIONS = {
  allow: { type: 'string', multiple: true },
  deny: { type: 'string', multiple: true },
  'protected-path': { type: 'string', multiple: true },
  'disable-rule': { type: 'string', multiple: true },
} as const;

/** The policy's settings by the flags that set them: what its configuration errors are named by in the CLI. */
export const POLICY_FLAGS: PolicyInputNames = {
  allow: '--allow',
  deny: '--deny',
  protectedPaths: '--protected-path',
  disabledRules: '--disable-rule',
};

type PolicyValues = { allow?: string[]; deny?: string[]; 'protected-path'?: string[]; 'disable-rule'?: string[] };

export function policySettingsFrom(values: PolicyValues): PolicySettings {
  return {
    allow: values.allow ?? [],
    deny: values.deny ?? [],
    protectedPaths: values['protected-path'] ?? [],
    disabledRules: values['disable-rule'] ?? [],
  };
}

/** The policy the flags describe for a shell in `workdir`; throws ConfigError naming the flag. */
export function policyFromFlags(values: PolicyValues, workdir: string, home: string | undefined): PolicyConfig {
  return policyConfigFrom(policySettingsFrom(values), workdir, home, POLICY_FLAGS);
}

export const SESSION_OPTION = { session: { type: 'string' } } as const;

/** --session, checked (ConfigError naming the flag), or the default name. */
export const sessionFromFlag = (value: string | undefined, fallback = DEFAULT_SESSION_NAME): string =>
  parseSessionName('--session', value ?? fallback);
