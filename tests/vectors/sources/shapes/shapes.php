<?php
// mt_rand() (no arguments: the tempered word >> 1, "shr:1" of php_mt_rand) after mt_srand(S).
$out = $argv[1];
@mkdir("$out/php_mt_rand", 0777, true);
$n = 1400;
foreach ([0, 3735928495] as $seed) {
    mt_srand($seed);
    $lines = ["# generator: php_mt_rand", "# seed: $seed", "# stream: shr:1",
              "# source: PHP " . PHP_VERSION . ": mt_srand($seed); mt_rand(), $n calls",
              "# made by: tests/vectors/sources/shapes/make.sh", "value"];
    for ($i = 0; $i < $n; $i++) { $lines[] = (string) mt_rand(); }
    file_put_contents("$out/php_mt_rand/seed-$seed.shr-1.csv", implode("\n", $lines) . "\n");
}
