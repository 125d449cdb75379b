"""random.Random() seeded by CPython from the OS; prints {"seed": null, "draws": [random()...]}."""

import json
import random
import sys

stream = random.Random()
print(json.dumps({"seed": None, "draws": [stream.random() for _ in range(int(sys.argv[1]))]}))
