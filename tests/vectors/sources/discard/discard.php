<?php
// php discard.php SEED K N: mt_srand(SEED); before each of N draws of mt_rand(0, 999), K calls
// of mt_rand().
[$script, $seed, $k, $n] = $argv;
mt_srand((int)$seed);
for ($i = 0; $i < (int)$n; $i++) {
    for ($j = 0; $j < (int)$k; $j++) mt_rand();
    echo mt_rand(0, 999), "\n";
}
