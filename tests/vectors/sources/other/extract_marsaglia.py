"""Cut the C code out of Marsaglia's archived post of 1999-01-20 ("Random numbers for C: End, at
last?", sci.stat.math) so that it compiles unchanged on LP64 Linux, as a header.

Only two edits: ``typedef unsigned long UL`` becomes ``unsigned int`` (his generators are 32-bit;
he ran them with a 32-bit DOS gcc), and his test ``main`` is renamed ``marsaglia_test_main``.
Usage: python3 extract_marsaglia.py POST.html OUT.h
"""

import html
import re
import sys

text = open(sys.argv[1], encoding="latin-1").read()
text = html.unescape(re.sub(r"<br\s*/?>", "\n", text))
start = text.index("#include <stdio.h>")
end = text.index("/*-----", start)
code = text[start:end]
for old, new in (("typedef unsigned long UL;", "typedef unsigned int UL;"),
                 ("int main(void){", "int marsaglia_test_main(void){")):
    if code.count(old) != 1:
        sys.exit(f"unexpected post text: {old!r} found {code.count(old)} times")
    code = code.replace(old, new)
open(sys.argv[2], "w").write(code)
