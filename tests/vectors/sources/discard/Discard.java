// java Discard.java MODE SEED K N: java.util.Random(SEED), before each of N draws of
// nextInt(1000) either K calls of nextInt() (MODE ints) or one nextDouble() (MODE double).
import java.util.Random;

public class Discard {
    public static void main(String[] args) {
        String mode = args[0];
        Random r = new Random(Long.parseLong(args[1]));
        int k = Integer.parseInt(args[2]);
        int n = Integer.parseInt(args[3]);
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < n; i++) {
            if (mode.equals("double")) {
                r.nextDouble();
            } else {
                for (int j = 0; j < k; j++) r.nextInt();
            }
            out.append(r.nextInt(1000)).append('\n');
        }
        System.out.print(out);
    }
}
