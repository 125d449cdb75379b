// new java.util.Random() (seeded from nanoTime and a seed uniquifier), then nextInt(bound) or,
// for bound 0, nextInt(): {"seed": null, "draws": [...]}
import java.util.Random;

public class NewRandom {
    public static void main(String[] args) {
        int count = Integer.parseInt(args[0]);
        int bound = Integer.parseInt(args[1]);
        Random random = new Random();
        StringBuilder out = new StringBuilder("{\"seed\": null, \"draws\": [");
        for (int i = 0; i < count; i++) {
            out.append(i == 0 ? "" : ", ").append(bound == 0 ? random.nextInt() : random.nextInt(bound));
        }
        System.out.println(out.append("]}"));
    }
}
