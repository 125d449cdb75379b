// Math.random() of a fresh Node.js process (V8 seeds it from the OS): {"seed": null, "draws": [...]}
'use strict';
const count = Number(process.argv[2]);
const draws = [];
for (let i = 0; i < count; i++) draws.push(Math.random());
console.log(JSON.stringify({ seed: null, draws }));
