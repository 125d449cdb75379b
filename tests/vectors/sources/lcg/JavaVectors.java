// Known answers for java_random from OpenJDK itself.
// Usage: java JavaVectors.java OUTDIR
import java.io.*;
import java.util.Random;

public class JavaVectors {
    static void write(String dir, long seed, String stream, String source, long[] values) throws IOException {
        String file = dir + "/java_random/seed-" + seed + "." + stream.replace(':', '-') + ".csv";
        new File(dir + "/java_random").mkdirs();
        try (PrintWriter out = new PrintWriter(new FileWriter(file))) {
            out.println("# generator: java_random");
            out.println("# seed: " + seed);
            out.println("# stream: " + stream);
            out.println("# source: OpenJDK " + System.getProperty("java.version") + ": " + source);
            out.println("# made by: tests/vectors/sources/lcg/make.sh");
            out.println("value");
            for (long v : values) out.println(v);
        }
    }

    public static void main(String[] args) throws IOException {
        String dir = args[0];
        long[] seeds = {0L, 3735928495L, 42L};
        for (long seed : seeds) {
            long[] raw = new long[1000];
            Random r = new Random(seed);
            for (int i = 0; i < 1000; i++) raw[i] = r.nextInt() & 0xffffffffL;
            write(dir, seed, "raw", "new java.util.Random(" + seed + ").nextInt() & 0xffffffffL, 1000 calls", raw);

            for (int bound : new int[] {1000, 10, 1024}) {
                long[] draws = new long[1000];
                r = new Random(seed);
                for (int i = 0; i < 1000; i++) draws[i] = r.nextInt(bound);
                write(dir, seed, "java_nextint:" + bound, "new java.util.Random(" + seed + ").nextInt(" + bound + "), 1000 calls", draws);
            }
            long[] floats = new long[1000];
            r = new Random(seed);
            for (int i = 0; i < 1000; i++) floats[i] = (long) Math.floor(r.nextDouble() * 1000);
            write(dir, seed, "float_mul:1000", "(long) Math.floor(new java.util.Random(" + seed + ").nextDouble() * 1000), 1000 calls", floats);
        }
    }
}
