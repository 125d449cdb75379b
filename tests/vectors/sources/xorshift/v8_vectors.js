// Known answers for v8_math_random from Node.js itself. Run in a fresh process per file, since
// V8 seeds Math.random once per context from --random-seed:
//   node --random-seed=FLAG v8_vectors.js OUTDIR SEED STREAM
// SEED is the registry's unsigned seed; FLAG is the same 32 bits as V8's int flag.
// raw: Math.random() * 2**52, exact (ToDouble keeps 52 bits of state0 under exponent 0x3FF).
// float_mul:1000: Math.floor(Math.random() * 1000).
'use strict';
const fs = require('fs');
const path = require('path');

const [outDir, seed, stream] = process.argv.slice(2);
const flag = process.execArgv.find((a) => a.startsWith('--random-seed='));
const N = 1000;
const values = [];
for (let i = 0; i < N; i++) {
  values.push(stream === 'raw' ? Math.random() * 2 ** 52 : Math.floor(Math.random() * 1000));
}
if (!values.every(Number.isSafeInteger)) throw new Error('non-integer value');
const what = stream === 'raw' ? 'Math.random() * 2**52' : 'Math.floor(Math.random() * 1000)';
const dir = path.join(outDir, 'v8_math_random');
fs.mkdirSync(dir, { recursive: true });
const lines = [
  '# generator: v8_math_random',
  `# seed: ${seed}`,
  `# stream: ${stream}`,
  `# source: Node.js ${process.version} (V8 ${process.versions.v8}): node ${flag}, ${what}, ${N} calls from a fresh process`,
  '# made by: tests/vectors/sources/xorshift/make.sh',
  'value',
  ...values.map(String),
];
fs.writeFileSync(path.join(dir, `seed-${seed}.${stream.replace(/:/g, '-')}.csv`), lines.join('\n') + '\n');
