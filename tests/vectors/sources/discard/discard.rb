# ruby discard.rb SEED K N: Random.new(SEED); before each of N draws of rand(1000), K calls of
# bytes(4) (one 32-bit output each).
seed, k, n = ARGV.map(&:to_i)
r = Random.new(seed)
n.times do
  k.times { r.bytes(4) }
  puts r.rand(1000)
end
