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
// mt_rand() / mt_getrandmax(), PHP's float idiom before 8.3 (the mt_rand manual's own example):
// "native_double" of php_mt_rand, and of php_mt_rand_legacy (mt_srand(S, MT_RAND_PHP)).
// %.17g prints enough digits to read back the same double.
foreach (["php_mt_rand" => MT_RAND_MT19937, "php_mt_rand_legacy" => MT_RAND_PHP] as $name => $mode) {
    @mkdir("$out/$name", 0777, true);
    foreach ([0, 3735928495] as $seed) {
        mt_srand($seed, $mode);
        $call = $mode === MT_RAND_PHP ? "mt_srand($seed, MT_RAND_PHP)" : "mt_srand($seed)";
        $lines = ["# generator: $name", "# seed: $seed", "# stream: native_double",
                  "# source: PHP " . PHP_VERSION . ": $call; mt_rand() / mt_getrandmax(), $n calls",
                  "# made by: tests/vectors/sources/shapes/make.sh", "value"];
        for ($i = 0; $i < $n; $i++) { $lines[] = sprintf("%.17g", mt_rand() / mt_getrandmax()); }
        file_put_contents("$out/$name/seed-$seed.native_double.csv", implode("\n", $lines) . "\n");
    }
}
