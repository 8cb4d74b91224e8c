// Rescue: instructions for a person to take over the agent's tmux session, and the upterm/tmate host that drops them in.
export * from './instructions.js';
export * from './keys.js';
export * from './host.js';
export * from './install.js';
export * from './guard.js';
