# Random.new(S).rand(1..6) and rand(1..10): masked:N plus 1 (Ruby's limited_rand: mask and
# retry on 32-bit words).
out = ARGV[0]
n = 200
Dir.mkdir("#{out}/ruby_random") unless Dir.exist?("#{out}/ruby_random")
[1234, 3735928495].each do |seed|
  [6, 10].each do |high|
    random = Random.new(seed)
    lines = ["# generator: ruby_random", "# seed: #{seed}", "# stream: masked:#{high}", "# add: 1",
             "# source: Ruby #{RUBY_VERSION}: Random.new(#{seed}).rand(1..#{high}), #{n} calls",
             "# made by: tests/vectors/sources/ranges/make.sh", "value"]
    n.times { lines << random.rand(1..high).to_s }
    File.write("#{out}/ruby_random/seed-#{seed}.masked-#{high}+1.csv", lines.join("\n") + "\n")
  end
end
