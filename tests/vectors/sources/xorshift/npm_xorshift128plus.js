// Known answers for xorshift128plus from the npm package `xorshift` (A. Madsen's port of Vigna's
// xorshift128+ with shifts 23/18/5, result = s[0] + s[1] before the step; its reference.json
// comes from Vigna's C), state set to splitmix64 words made by OpenJDK's SplittableRandom.
//   node npm_xorshift128plus.js OUTDIR WORDSFILE NODE_MODULES_DIR
'use strict';
const fs = require('fs');
const path = require('path');

const [outDir, wordsFile, modules] = process.argv.slice(2);
const { XorShift } = require(path.join(modules, 'xorshift'));
const version = require(path.join(modules, 'xorshift', 'package.json')).version;
const N = 1000;
const dir = path.join(outDir, 'xorshift128plus');
fs.mkdirSync(dir, { recursive: true });
for (const line of fs.readFileSync(wordsFile, 'utf8').split('\n')) {
  if (!line.trim()) continue;
  const [seed, w0, w1] = line.trim().split(/\s+/).map(BigInt);
  const halves = (w) => [Number(w >> 32n), Number(w & 0xFFFFFFFFn)];
  const rng = new XorShift([...halves(w0), ...halves(w1)]);
  const values = [];
  for (let i = 0; i < N; i++) {
    const [hi, lo] = rng.randomint();
    values.push(((BigInt(hi) << 32n) | BigInt(lo)).toString());
  }
  const lines = [
    '# generator: xorshift128plus',
    `# seed: ${seed}`,
    '# stream: raw',
    `# source: npm xorshift ${version} on Node.js ${process.version}: new XorShift(s) with s = the first 2 splitmix64 words of seed ${seed} (OpenJDK SplittableRandom); randomint() as one 64-bit value, ${N} calls`,
    '# made by: tests/vectors/sources/xorshift/make.sh',
    'value',
    ...values,
  ];
  fs.writeFileSync(path.join(dir, `seed-${seed}.raw.csv`), lines.join('\n') + '\n');
}
