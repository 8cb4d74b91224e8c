import { describe, expect, it } from 'vitest';
import { evaluate, type PolicyConfig } from '../../src/policy/index.js';
import { CORPUS_HOME, CORPUS_WORKSPACE, EVASIONS, REPAIR_COMMANDS } from './corpus.js';

const defaults: PolicyConfig = {
  allow: [],
  deny: [],
  protectedPaths: [],
  disabledRules: [],
  workspace: CORPUS_WORKSPACE,
  home: CORPUS_HOME,
};

describe('the evasion corpus', () => {
  it('holds at least 80 attempts, each one distinct', () => {
    expect(EVASIONS.length).toBeGreaterThanOrEqual(80);
    expect(new Set(EVASIONS.map((e) => e.command)).size).toBe(EVASIONS.length);
  });

  it.each(EVASIONS.map((e) => [e.command, e.rule]))('denies %j (%s)', (command, rule) => {
    const decision = evaluate(command, defaults);
    expect(decision.allowed).toBe(false);
    expect(decision.rule).toBe(rule);
    expect(decision.reason.length).toBeGreaterThan(20);
  });
});

describe('the repair corpus', () => {
  it('holds at least 60 commands, each one distinct', () => {
    expect(REPAIR_COMMANDS.length).toBeGreaterThanOrEqual(60);
    expect(new Set(REPAIR_COMMANDS).size).toBe(REPAIR_COMMANDS.length);
  });

  it.each(REPAIR_COMMANDS.map((c) => [c]))('allows %j', (command) => {
    const decision = evaluate(command, defaults);
    expect({ command, allowed: decision.allowed, reason: decision.reason }).toEqual({
      command,
      allowed: true,
      reason: 'no rule denies it',
    });
    expect(decision.commands.length).toBeGreaterThan(0);
  });
});
