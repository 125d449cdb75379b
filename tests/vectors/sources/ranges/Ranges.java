// new java.util.Random(S).nextInt(6) + 1: java_nextint:6 plus 1.
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

public class Ranges {
    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0], "java_random");
        Files.createDirectories(dir);
        int n = 200;
        for (long seed : new long[] {1234L, 3735928495L}) {
            Random random = new Random(seed);
            StringBuilder out = new StringBuilder();
            out.append("# generator: java_random\n# seed: ").append(seed)
               .append("\n# stream: java_nextint:6\n# add: 1\n# source: OpenJDK ")
               .append(System.getProperty("java.version")).append(": new java.util.Random(")
               .append(seed).append(").nextInt(6) + 1, ").append(n)
               .append(" calls\n# made by: tests/vectors/sources/ranges/make.sh\nvalue\n");
            for (int i = 0; i < n; i++) out.append(random.nextInt(6) + 1).append('\n');
            Files.writeString(dir.resolve("seed-" + seed + ".java_nextint-6+1.csv"), out.toString());
        }
    }
}
