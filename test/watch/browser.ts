// Debian's chromium, driven by playwright-core (never a downloaded browser). playwright gives every launch a fresh
// profile directory of its own (it refuses --user-data-dir in launch()).
export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
