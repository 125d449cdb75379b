// new java.util.Random() (seeded from nanoTime and a seed uniquifier), then nextInt(bound) or,
// for bound 0, nextInt(): {"seed": null, "draws": [...]}; an optional third argument is added to
// every nextInt(bound) draw (dice: NewRandom 60 6 1 prints new Random().nextInt(6) + 1)
import java.util.Random;

public class NewRandom {
    public static void main(String[] args) {
        int count = Integer.parseInt(args[0]);
        int bound = Integer.parseInt(args[1]);
        int plus = args.length > 2 ? Integer.parseInt(args[2]) : 0;
        Random random = new Random();
        StringBuilder out = new StringBuilder("{\"seed\": null, \"draws\": [");
        for (int i = 0; i < count; i++) {
            out.append(i == 0 ? "" : ", ").append(bound == 0 ? random.nextInt() : random.nextInt(bound) + plus);
        }
        System.out.println(out.append("]}"));
    }
}
