<?php
// mt_rand(1, 100) and mt_rand(1, 6) after mt_srand(S): php_range:0:N-1 plus 1 (PHP's range
// call is low + a uniform draw below high - low + 1).
$out = $argv[1];
@mkdir("$out/php_mt_rand", 0777, true);
$n = 200;
foreach ([1234, 3735928495] as $seed) {
    foreach ([100, 6] as $high) {
        mt_srand($seed);
        $top = $high - 1;
        $lines = ["# generator: php_mt_rand", "# seed: $seed", "# stream: php_range:0:$top",
                  "# add: 1", "# source: PHP " . PHP_VERSION . ": mt_srand($seed); mt_rand(1, $high), $n calls",
                  "# made by: tests/vectors/sources/ranges/make.sh", "value"];
        for ($i = 0; $i < $n; $i++) { $lines[] = (string) mt_rand(1, $high); }
        file_put_contents("$out/php_mt_rand/seed-$seed.php_range-0-$top+1.csv", implode("\n", $lines) . "\n");
    }
}
