// new Random(seed).nextDouble(), printed as Java prints doubles: {"seed": s, "draws": [...]}
public class SeededDoubles {
    public static void main(String[] args) {
        long seed = Long.parseLong(args[0]);
        java.util.Random random = new java.util.Random(seed);
        StringBuilder out = new StringBuilder("{\"seed\": " + seed + ", \"draws\": [");
        for (int i = 0; i < Integer.parseInt(args[1]); i++) {
            out.append(i == 0 ? "" : ", ").append(random.nextDouble());
        }
        System.out.println(out.append("]}"));
    }
}
