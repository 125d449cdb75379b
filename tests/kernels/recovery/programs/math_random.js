// Math.random() of a fresh Node.js process (V8 seeds it from the OS), or with a second argument N
// Math.floor(Math.random() * N): {"seed": null, "draws": [...]}
'use strict';
const count = Number(process.argv[2]);
const bound = process.argv[3] === undefined ? 0 : Number(process.argv[3]);
const draws = [];
for (let i = 0; i < count; i++) draws.push(bound ? Math.floor(Math.random() * bound) : Math.random());
console.log(JSON.stringify({ seed: null, draws }));
