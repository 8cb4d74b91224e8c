// The demo's example project: a tiny npm package (no dependencies) whose test fails on an off-by-one.
// Embedded as strings so the bundled CLI carries it; `ci-medic demo` writes it to a temporary directory.

export const DEMO_CHECK = 'npm test';

/** The file the scripted model fixes, and its repaired content. */
export const BROKEN_FILE = 'src/cart.js';

export const FIXED_CART = `// Sums the prices of a cart's items, in cents.
export function cartTotal(items) {
  let total = 0;
  for (let i = 0; i < items.length; i++) total += items[i].cents * (items[i].quantity ?? 1);
  return total;
}
`;

export const DEMO_PROJECT: Readonly<Record<string, string>> = {
  'package.json': `${JSON.stringify(
    {
      name: 'ci-medic-demo-shop',
      version: '1.0.0',
      private: true,
      type: 'module',
      scripts: { test: 'node --test' },
    },
    null,
    2,
  )}\n`,
  'README.md': '# demo shop\n\nA deliberately broken example for `ci-medic demo`: `npm test` fails.\n',
  [BROKEN_FILE]: `// Sums the prices of a cart's items, in cents.
export function cartTotal(items) {
  let total = 0;
  for (let i = 1; i < items.length; i++) total += items[i].cents * (items[i].quantity ?? 1);
  return total;
}
`,
  'test/cart.test.js': `import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cartTotal } from '../src/cart.js';

test('the total counts every item', () => {
  assert.equal(cartTotal([{ cents: 250 }, { cents: 100, quantity: 2 }]), 450);
});

test('an empty cart costs nothing', () => {
  assert.equal(cartTotal([]), 0);
});
`,
};
