// Known answers for dotnet_random: System.Random(int seed) of Mono's class library, which is
// Microsoft's .NET Framework reference source (the algorithm .NET 5+ keeps as Net5CompatSeedImpl).
// Usage: mono DotnetVectors.exe FUNCTION SEED COUNT
// FUNCTION: next | next1000 | next10 | nextdouble_mul1000; SEED is read as an unsigned 32-bit
// number and passed as unchecked((int) seed), as C# code seeding from a uint does.
using System;

public static class DotnetVectors {
    public static int Main(string[] args) {
        if (args.Length != 3) { Console.Error.WriteLine("usage: FUNCTION SEED COUNT"); return 2; }
        var random = new Random(unchecked((int) uint.Parse(args[1])));
        int count = int.Parse(args[2]);
        for (int i = 0; i < count; i++) {
            switch (args[0]) {
                case "next": Console.WriteLine(random.Next()); break;
                case "next1000": Console.WriteLine(random.Next(1000)); break;
                case "next10": Console.WriteLine(random.Next(10)); break;
                case "nextdouble_mul1000": Console.WriteLine(Math.Floor(random.NextDouble() * 1000)); break;
                default: Console.Error.WriteLine("unknown function " + args[0]); return 2;
            }
        }
        return 0;
    }
}
