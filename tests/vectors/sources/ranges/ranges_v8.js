// Math.floor(Math.random() * 6) + 1 (float_mul:6 plus 1 of v8_math_random); run as
//   node --random-seed=FLAG ranges_v8.js OUTDIR SEED
'use strict';
const fs = require('fs');
const path = require('path');

const [outDir, seed] = process.argv.slice(2);
const flag = process.execArgv.find((a) => a.startsWith('--random-seed='));
const N = 200;
const values = [];
for (let i = 0; i < N; i++) values.push(String(Math.floor(Math.random() * 6) + 1));
const dir = path.join(outDir, 'v8_math_random');
fs.mkdirSync(dir, { recursive: true });
const lines = [
  '# generator: v8_math_random',
  `# seed: ${seed}`,
  '# stream: float_mul:6',
  '# add: 1',
  `# source: Node.js ${process.version} (V8 ${process.versions.v8}): node ${flag}, Math.floor(Math.random() * 6) + 1, ${N} calls`,
  '# made by: tests/vectors/sources/ranges/make.sh',
  'value',
  ...values,
];
fs.writeFileSync(path.join(dir, `seed-${seed}.float_mul-6+1.csv`), lines.join('\n') + '\n');
