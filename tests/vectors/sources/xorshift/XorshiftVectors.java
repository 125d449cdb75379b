// Known answers for splitmix64 and xoshiro256plusplus from OpenJDK itself, and the splitmix64
// state words that the other makers feed to randomgen, npm xorshift and the authors' C code.
// Usage: java --add-exports jdk.random/jdk.random=ALL-UNNAMED XorshiftVectors.java OUTDIR WORDSFILE
import java.io.*;
import java.util.SplittableRandom;
import jdk.random.Xoshiro256PlusPlus;

public class XorshiftVectors {
    static final long[] SEEDS = {0L, 3735928495L, 42L};
    static final int N = 1000;

    static String u(long v) { return Long.toUnsignedString(v); }

    static void write(String dir, String gen, long seed, String stream, String source, long[] values) throws IOException {
        new File(dir + "/" + gen).mkdirs();
        String file = dir + "/" + gen + "/seed-" + u(seed) + "." + stream.replace(':', '-') + ".csv";
        try (PrintWriter out = new PrintWriter(new FileWriter(file))) {
            out.println("# generator: " + gen);
            out.println("# seed: " + u(seed));
            out.println("# stream: " + stream);
            out.println("# source: OpenJDK " + System.getProperty("java.version") + ": " + source);
            out.println("# made by: tests/vectors/sources/xorshift/make.sh");
            out.println("value");
            for (long v : values) out.println(stream.equals("raw") ? u(v) : Long.toString(v));
        }
    }

    // the 4 state words Vigna recommends: the first outputs of splitmix64 = SplittableRandom(seed)
    static long[] words(long seed) {
        SplittableRandom sm = new SplittableRandom(seed);
        return new long[] {sm.nextLong(), sm.nextLong(), sm.nextLong(), sm.nextLong()};
    }

    public static void main(String[] args) throws IOException {
        String dir = args[0];
        try (PrintWriter w = new PrintWriter(new FileWriter(args[1]))) {
            for (long seed : SEEDS) {
                StringBuilder line = new StringBuilder(u(seed));
                for (long word : words(seed)) line.append(' ').append(u(word));
                w.println(line);
            }
        }
        for (long seed : SEEDS) {
            long[] raw = new long[N], floats = new long[N];
            SplittableRandom sm = new SplittableRandom(seed);
            for (int i = 0; i < N; i++) raw[i] = sm.nextLong();
            write(dir, "splitmix64", seed, "raw", "new java.util.SplittableRandom(" + seed + "L).nextLong() as unsigned, " + N + " calls", raw);
            sm = new SplittableRandom(seed);
            for (int i = 0; i < N; i++) floats[i] = (long) Math.floor(sm.nextDouble() * 1000);
            write(dir, "splitmix64", seed, "float_mul:1000", "(long) Math.floor(new java.util.SplittableRandom(" + seed + "L).nextDouble() * 1000), " + N + " calls", floats);

            long[] s = words(seed);
            String make = "new jdk.random.Xoshiro256PlusPlus(s0, s1, s2, s3) with s = the first 4 SplittableRandom(" + seed + "L).nextLong()";
            Xoshiro256PlusPlus x = new Xoshiro256PlusPlus(s[0], s[1], s[2], s[3]);
            raw = new long[N];
            for (int i = 0; i < N; i++) raw[i] = x.nextLong();
            write(dir, "xoshiro256plusplus", seed, "raw", make + "; nextLong() as unsigned, " + N + " calls", raw);
            x = new Xoshiro256PlusPlus(s[0], s[1], s[2], s[3]);
            floats = new long[N];
            for (int i = 0; i < N; i++) floats[i] = (long) Math.floor(x.nextDouble() * 1000);
            write(dir, "xoshiro256plusplus", seed, "float_mul:1000", make + "; (long) Math.floor(nextDouble() * 1000), " + N + " calls", floats);
        }
    }
}
