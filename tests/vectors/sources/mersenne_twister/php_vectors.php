<?php
// Known answers for php_mt_rand and php_mt_rand_legacy from PHP itself.
// Usage: php php_vectors.php OUTDIR
// The raw word is read twice, through mt_rand(0, 4294967295) (PHP >= 7.1 mode only: legacy mode
// scales that range) and through Random\Engine\Mt19937::generate() (both modes), and they must agree.

function write_vector($dir, $gen, $seed, $stream, $source, $values) {
    @mkdir("$dir/$gen", 0755, true);
    $name = str_replace(':', '-', $stream);
    $lines = ["# generator: $gen", "# seed: $seed", "# stream: $stream",
              "# source: PHP " . PHP_VERSION . ": $source",
              "# made by: tests/vectors/sources/mersenne_twister/make.sh", "value"];
    file_put_contents("$dir/$gen/seed-$seed.$name.csv", implode("\n", array_merge($lines, $values)) . "\n");
}

function engine_words($seed, $mode, $n) {
    $engine = new \Random\Engine\Mt19937($seed, $mode);
    $out = [];
    for ($i = 0; $i < $n; $i++) $out[] = unpack('V', $engine->generate())[1];
    return $out;
}

function draws($seed, $mode, $min, $max, $n) {
    mt_srand($seed, $mode);
    $out = [];
    for ($i = 0; $i < $n; $i++) $out[] = mt_rand($min, $max);
    return $out;
}

$dir = $argv[1];
foreach ([0, 3735928495] as $seed) {
    $raw = draws($seed, MT_RAND_MT19937, 0, 4294967295, 1000);
    if ($raw !== engine_words($seed, MT_RAND_MT19937, 1000)) { fwrite(STDERR, "raw words disagree\n"); exit(1); }
    write_vector($dir, "php_mt_rand", $seed, "raw", "mt_srand($seed); mt_rand(0, 4294967295), 1000 calls", $raw);
    foreach ([[0, 999], [1, 6]] as [$lo, $hi]) {
        write_vector($dir, "php_mt_rand", $seed, "php_range:$lo:$hi", "mt_srand($seed); mt_rand($lo, $hi), 1000 calls",
                     draws($seed, MT_RAND_MT19937, $lo, $hi, 1000));
    }

    $legacy = engine_words($seed, MT_RAND_PHP, 1000);
    mt_srand($seed, MT_RAND_PHP);
    foreach ($legacy as $word) {
        if (mt_rand() !== ($word >> 1)) { fwrite(STDERR, "legacy mt_rand() disagrees with the engine\n"); exit(1); }
    }
    write_vector($dir, "php_mt_rand_legacy", $seed, "raw",
                 "unpack('V', (new Random\\Engine\\Mt19937($seed, MT_RAND_PHP))->generate())[1], 1000 calls "
                 . "(checked: mt_srand($seed, MT_RAND_PHP); mt_rand() is each word >> 1)", $legacy);
    write_vector($dir, "php_mt_rand_legacy", $seed, "php_legacy_range:0:999",
                 "mt_srand($seed, MT_RAND_PHP); mt_rand(0, 999), 1000 calls",
                 draws($seed, MT_RAND_PHP, 0, 999, 1000));
}
