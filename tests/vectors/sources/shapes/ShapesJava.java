// java.util.Random: nextInt() ("signed32" of java_random) and nextDouble() ("java_double").
// Double.toString prints the shortest decimal that reads back as the same double.
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

public class ShapesJava {
    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0], "java_random");
        Files.createDirectories(dir);
        int n = 1000;
        for (long seed : new long[] {0L, 42L}) {
            for (String stream : new String[] {"signed32", "java_double"}) {
                Random random = new Random(seed);
                List<String> lines = new ArrayList<>();
                String call = stream.equals("signed32") ? "nextInt()" : "nextDouble()";
                lines.add("# generator: java_random");
                lines.add("# seed: " + seed);
                lines.add("# stream: " + stream);
                lines.add("# source: OpenJDK " + System.getProperty("java.version")
                          + ": new java.util.Random(" + seed + ")." + call + ", " + n + " calls");
                lines.add("# made by: tests/vectors/sources/shapes/make.sh");
                lines.add("value");
                for (int i = 0; i < n; i++) {
                    lines.add(stream.equals("signed32") ? Integer.toString(random.nextInt())
                                                        : Double.toString(random.nextDouble()));
                }
                Files.write(dir.resolve("seed-" + seed + "." + stream + ".csv"), lines);
            }
        }
    }
}
