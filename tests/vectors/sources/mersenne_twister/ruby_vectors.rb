# Known answers for ruby_random from Ruby's Random itself.
# Usage: ruby ruby_vectors.rb OUTDIR
# The raw word is read twice, as rand(2**32) and as Random#bytes(4) (little-endian), and they must agree.
require "fileutils"

def write_vector(dir, seed, stream, source, values)
  FileUtils.mkdir_p("#{dir}/ruby_random")
  lines = ["# generator: ruby_random", "# seed: #{seed}", "# stream: #{stream}",
           "# source: Ruby #{RUBY_VERSION}: #{source}",
           "# made by: tests/vectors/sources/mersenne_twister/make.sh", "value"] + values.map(&:to_s)
  File.write("#{dir}/ruby_random/seed-#{seed}.#{stream.tr(':', '-')}.csv", lines.join("\n") + "\n")
end

dir = ARGV[0]
# 0x0123456789abcdef takes init_by_array; 2**32 + 5 shows the leading-zero guard (same as 5)
[0, 3735928495, 0x0123456789abcdef, 2**32 + 5].each do |seed|
  r = Random.new(seed)
  raw = Array.new(1000) { r.rand(2**32) }
  r = Random.new(seed)
  abort "rand(2**32) and bytes(4) disagree" unless raw == Array.new(1000) { r.bytes(4).unpack1("V") }
  write_vector(dir, seed, "raw", "Random.new(#{seed}).rand(2**32), 1000 calls", raw)
  r = Random.new(seed)
  write_vector(dir, seed, "masked:1000", "Random.new(#{seed}).rand(1000), 1000 calls", Array.new(1000) { r.rand(1000) })
  r = Random.new(seed)
  write_vector(dir, seed, "float_mul:1000", "(Random.new(#{seed}).rand * 1000).floor, 1000 calls",
               Array.new(1000) { (r.rand * 1000).floor })
end
