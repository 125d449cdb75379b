// Math.random() as printed ("v8_double" of v8_math_random); run as
//   node --random-seed=FLAG shapes_v8.js OUTDIR SEED
// String(x) is the shortest decimal that reads back as the same double.
'use strict';
const fs = require('fs');
const path = require('path');

const [outDir, seed] = process.argv.slice(2);
const flag = process.execArgv.find((a) => a.startsWith('--random-seed='));
const N = 1000;
const values = [];
for (let i = 0; i < N; i++) values.push(String(Math.random()));
const dir = path.join(outDir, 'v8_math_random');
fs.mkdirSync(dir, { recursive: true });
const lines = [
  '# generator: v8_math_random',
  `# seed: ${seed}`,
  '# stream: v8_double',
  `# source: Node.js ${process.version} (V8 ${process.versions.v8}): node ${flag}, Math.random(), ${N} calls`,
  '# made by: tests/vectors/sources/shapes/make.sh',
  'value',
  ...values,
];
fs.writeFileSync(path.join(dir, `seed-${seed}.v8_double.csv`), lines.join('\n') + '\n');
