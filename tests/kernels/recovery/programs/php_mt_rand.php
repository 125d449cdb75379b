<?php
// mt_srand() of a random 32-bit seed, then mt_rand(): {"seed": S, "draws": [...]}
$seed = random_int(0, 4294967295);
mt_srand($seed);
$draws = [];
for ($i = 0; $i < (int) $argv[1]; $i++) { $draws[] = mt_rand(); }
echo json_encode(["seed" => $seed, "draws" => $draws]);
