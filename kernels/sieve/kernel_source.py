"""C sources of the device backends, assembled from one set of files for OpenCL and CUDA.

Each generator with a device port has ``kernels/cl/generators/<name>.cl`` defining, in the
dialect of ``kernels/cl/prelude.h``::

    typedef struct {...} <name>_state;
    DEVICE void  <name>_seed(<name>_state *st, ulong seed);   /* the runtime's seeding */
    DEVICE ulong <name>_next(<name>_state *st);               /* PRNG.next_raw */
    #define <name>_HAS_DOUBLE 1   /* optional, with: */
    DEVICE double <name>_double(<name>_state *st);           /* PRNG.next_double */
    #define <name>_MAX_OUTPUTS N  /* optional: the port is exact for N raw outputs per seed */

A port may share code with its family through ``#include "_<something>.h"`` lines naming files
in ``kernels/cl/generators/``; they are inlined here (once each), so both compilers see one
self-contained program.

This module wraps the generator in a stream (``next_raw``, ``next_u32``, ``next_double``,
``skip``) and writes each reduction as a ``draw_<i>`` function, mirroring
``kernels/reductions.py`` line for line; tests check every device port and reduction against the
scalar reference. One program holds every reduction of a search space: the sieve kernel seeds
each seed once and evaluates every offset, reduction and skip from copies of that one stream.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Sequence

import numpy as np

from kernels.prng import PRNG
from kernels.reductions import Reduction, cpp_downscale_terms, native_below
from kernels.sieve.engine import ProbeHit

__all__ = ["CL_ROOT", "has_device_port", "device_ported", "port_output_limit", "port_covers",
           "program_source", "MAX_PROBE", "DEGENERATE", "hits_from_device"]

CL_ROOT = Path(__file__).resolve().parents[1] / "cl"

#: the most observed draws the sieve kernel matches (the engine's probes are at most this long)
MAX_PROBE = 64
#: the sieve kernel's offset column for a seed whose stream went degenerate
DEGENERATE = 0xFFFFFFFF


_INCLUDE = re.compile(r'^[ \t]*#[ \t]*include[ \t]+"(_[A-Za-z0-9_]+\.h)"[ \t]*$', re.M)


def _inline_includes(text: str, seen: set[str] | None = None) -> str:
    """Replace ``#include "_x.h"`` lines with the file's text, each file once."""
    seen = set() if seen is None else seen

    def expand(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in seen:
            return f"/* {name} already included */"
        seen.add(name)
        return _inline_includes((CL_ROOT / "generators" / name).read_text(), seen)

    return _INCLUDE.sub(expand, text)


def has_device_port(generator: type[PRNG]) -> bool:
    return (CL_ROOT / "generators" / f"{generator.name}.cl").is_file()


def port_output_limit(generator: type[PRNG]) -> int | None:
    """Raw outputs per seed a port is exact for, when it declares a limit (``_MAX_OUTPUTS``)."""
    text = (CL_ROOT / "generators" / f"{generator.name}.cl").read_text()
    found = re.search(rf"#define\s+{generator.name}_MAX_OUTPUTS\s+(\d+)", text)
    return int(found.group(1)) if found else None


def port_covers(generator: type[PRNG], reductions: Sequence[Reduction], offsets: range,
                skips: range, probe: int) -> bool:
    """A port exists and is exact as deep into the stream as this probe may read."""
    if not has_device_port(generator):
        return False
    limit = port_output_limit(generator)
    if limit is None:
        return True
    from kernels.sieve.numpy_backend import NumpyBackend

    # rejection reductions may read more than the usual width: count generously
    return all(4 * NumpyBackend.columns_needed(generator, reduction, offsets, skips, probe) <= limit
               for reduction in reductions)


def device_ported() -> list[str]:
    return sorted(p.stem for p in (CL_ROOT / "generators").glob("*.cl"))


def _stream_source(generator: type[PRNG]) -> str:
    name, bits = generator.name, generator.output_bits
    if bits == 32:
        u32 = "return next_raw(s);"
    elif bits == 64:
        u32 = ("if (s->has_pending) { s->has_pending = 0; return s->pending; }\n"
               "    ulong word = next_raw(s); s->pending = word >> 32; s->has_pending = 1;\n"
               "    return word & 0xFFFFFFFFUL;")
    else:
        u32 = "s->degenerate = 1; return 0;  /* no 32-bit word convention */"
    if bits == 32:
        default_double = ("ulong a = next_raw(s) >> 5; ulong b = next_raw(s) >> 6;\n"
                          "    return ((double)a * 67108864.0 + (double)b) * (1.0 / 9007199254740992.0);")
    elif bits == 64:
        default_double = "return (double)(next_raw(s) >> 11) * (1.0 / 9007199254740992.0);"
    else:
        default_double = f"return (double)next_raw(s) / {float(1 << bits)!r};"
    cursor_u32 = _on_cursor(u32)
    cursor_double = _on_cursor(default_double)
    return f"""
typedef struct {{ {name}_state g; ulong pending; int has_pending; int degenerate; }} stream_t;

DEVICE void stream_seed(stream_t *s, ulong seed) {{
    {name}_seed(&s->g, seed); s->has_pending = 0; s->pending = 0; s->degenerate = 0;
}}
DEVICE ulong next_raw(stream_t *s) {{ return {name}_next(&s->g); }}
DEVICE ulong next_u32(stream_t *s) {{
    {u32}
}}
DEVICE double next_double(stream_t *s) {{
#ifdef {name}_HAS_DOUBLE
    return {name}_double(&s->g);
#else
    {default_double}
#endif
}}
DEVICE void skip(stream_t *s, uint count) {{ for (uint i = 0; i < count; i++) next_raw(s); }}

#ifdef LOOK
/* A cursor over the next LOOK raw outputs, already generated: the first observed draw of every
 * reduction is read from these words, with no copy of the generator's state. A cursor that
 * runs past them is flagged degenerate and the draw is redone on a copy of the stream. */
typedef struct {{ const ulong *w; uint pos; ulong pending; int has_pending; int degenerate; }} cursor_t;
DEVICE ulong next_raw_c(cursor_t *s) {{
    if (s->pos >= LOOK) {{ s->degenerate = 1; return 0; }}
    return s->w[s->pos++];
}}
DEVICE ulong next_u32_c(cursor_t *s) {{
    {cursor_u32}
}}
DEVICE double next_double_c(cursor_t *s) {{
    {cursor_double}
}}
#endif
"""


def _on_cursor(body: str) -> str:
    """A draw body over the stream, rewritten to read the look-ahead cursor."""
    for call in ("next_raw", "next_u32", "next_double", "draw_digit"):
        body = body.replace(f"{call}(s)", f"{call}_c(s)")
    return body


def _uses_port_double(reduction: Reduction, generator: type[PRNG]) -> bool:
    """Whether a draw calls the port's own double (``<name>_double``), which reads the
    generator's state rather than raw outputs: such draws cannot run on the cursor."""
    text = (CL_ROOT / "generators" / f"{generator.name}.cl").read_text()
    if f"{generator.name}_HAS_DOUBLE" not in text:
        return False
    return reduction.kind == "float_mul" or (
        reduction.kind == "digits" and native_below(generator, 10).kind == "float_mul")


def _rejecting(word: str, accept: str, value: str) -> str:
    """A bounded rejection loop: ``accept`` and ``value`` are C expressions over ``w``."""
    return f"""
    for (uint attempt = 0; attempt < MAX_REJECTIONS && !s->degenerate; attempt++) {{
        ulong w = {word}(s);
        if ({accept}) return {value};
    }}
    s->degenerate = 1; return 0;"""


def _draw_body(reduction: Reduction, generator: type[PRNG]) -> str:
    kind, args = reduction.kind, reduction.args
    if kind == "raw":
        return "return next_raw(s);"
    if kind in ("mod", "c_rand_mod"):
        return f"return next_raw(s) % {args[0]}UL;"
    if kind == "java_nextint":
        bound = args[0]
        if bound & (bound - 1) == 0:
            return f"return ({bound}UL * (next_raw(s) >> 1)) >> 31;"
        return _rejecting("next_raw", f"(w >> 1) - ((w >> 1) % {bound}UL) + {bound - 1}UL < 2147483648UL",
                          f"(w >> 1) % {bound}UL")
    if kind == "python_randbelow":
        bound = args[0]
        shift = 32 - bound.bit_length()
        return _rejecting("next_u32", f"(w >> {shift}) < {bound}UL", f"w >> {shift}")
    if kind == "masked":
        limit = args[0] - 1
        mask = (1 << limit.bit_length()) - 1
        return _rejecting("next_u32", f"(w & {mask}UL) <= {limit}UL", f"w & {mask}UL")
    if kind == "lemire32":
        bound = args[0]
        threshold = (1 << 32) % bound
        return _rejecting("next_u32", f"((w * {bound}UL) & 0xFFFFFFFFUL) >= {threshold}UL",
                          f"(w * {bound}UL) >> 32")
    if kind == "lemire64":
        bound = args[0]
        threshold = (1 << 64) % bound
        return _rejecting("next_raw", f"w * {bound}UL >= {threshold}UL", f"MUL_HI64(w, {bound}UL)")
    if kind == "pcg_bounded":
        bound = args[0]
        return _rejecting("next_raw", f"w >= {(1 << 32) % bound}UL", f"w % {bound}UL")
    if kind == "cpp_downscale":
        low, scaling, past = cpp_downscale_terms(generator, args[0])
        return _rejecting("next_raw", f"w - {low}UL < {past}UL", f"(w - {low}UL) / {scaling}UL")
    if kind == "php_range":
        low, high = args
        span = high - low
        if span == 0xFFFFFFFF:
            return f"return {low}UL + next_u32(s);"
        size = span + 1
        if size & (size - 1) == 0:
            return f"return {low}UL + (next_u32(s) & {span}UL);"
        limit = 0xFFFFFFFF - (0xFFFFFFFF % size) - 1
        return _rejecting("next_u32", f"w <= {limit}UL", f"{low}UL + w % {size}UL")
    if kind == "lua_range":
        low, high = args
        span = high - low
        limit = (1 << span.bit_length()) - 1
        if span == limit:
            return f"return {low}UL + (next_raw(s) & {span}UL);"
        return _rejecting("next_raw", f"(w & {limit}UL) <= {span}UL", f"{low}UL + (w & {limit}UL)")
    if kind == "php_legacy_range":
        low, high = args
        return (f"double n = (double)(next_u32(s) >> 1);\n"
                f"    return {low}UL + (ulong)({float(high - low + 1)!r} * (n / 2147483648.0));")
    if kind == "float_mul":
        return f"return (ulong)FLOOR(next_double(s) * {float(args[0])!r});"
    if kind == "digits":
        return (f"ulong value = 0;\n    for (uint i = 0; i < {args[0]}; i++) "
                "value = value * 10 + draw_digit(s);\n    return value;")
    raise NotImplementedError(f"no device form of reduction {reduction.spec!r}")


_SIEVE_KERNEL = """
/* One work item per seed, seeded once. At each offset (raw outputs after seeding), every
 * reduction draws the first observed value; where it matches, every constant skip in
 * [skip_low, skip_high] follows a copy of the stream through the PROBE observed draws (skip,
 * then draw). A hit is reported as (seed, reduction, offset, skip).
 *
 * With LOOK defined, the stream `ahead` keeps the LOOK raw outputs from the current offset in
 * `look`, and reductions that can (those not using the port's own double) draw their first value
 * from them through a cursor; `base`, the stream at the current offset, is brought forward and
 * copied only for the rare first-draw matches. A degenerate stream (a rejection loop that never
 * ends) is reported with offset 0xFFFFFFFF for the host to re-check, and ends the item. */
#define REPORT(r, off, k) { uint slot = ATOMIC_INC(hit_count); if (slot < max_hits) { \\
    hit_seeds[slot] = seed; hit_reductions[slot] = (r); hit_offsets[slot] = (off); \\
    hit_skips[slot] = (k); } }
#define CATCH_UP() { while (base_at < offset) { next_raw(&base); base_at++; } }

KERNEL void sieve(ulong seed_start, uint lanes, GLOBAL const ulong *observed,
                  uint offset_start, uint offset_stop, uint skip_low, uint skip_high,
                  GLOBAL uint *hit_count, GLOBAL ulong *hit_seeds, GLOBAL uint *hit_reductions,
                  GLOBAL uint *hit_offsets, GLOBAL uint *hit_skips, uint max_hits) {
    uint gid = GLOBAL_ID();
    if (gid >= lanes) return;
    ulong seed = seed_start + gid;
    stream_t base;
    stream_seed(&base, seed);
    skip(&base, offset_start);
    uint base_at = offset_start;
#ifdef LOOK
    stream_t ahead = base;
    ulong look[LOOK];
    for (uint j = 0; j < LOOK; j++) look[j] = next_raw(&ahead);
#endif
#ifdef ONE_OFFSET
    /* a single offset: straight-line code, which vectorises across work items */
    { uint offset = offset_start;
#else
    for (uint offset = offset_start; offset < offset_stop; offset++) {
#ifdef LOOK
        if (offset > offset_start) {
            for (uint j = 0; j + 1 < LOOK; j++) look[j] = look[j + 1];
            look[LOOK - 1] = next_raw(&ahead);
        }
#endif
#endif
MATCH_EVERY_REDUCTION
    }
}

/* The first n draws of reduction `which` (offset 0, `skip_k` outputs between draws) of each
 * seed: for testing ports against the reference. */
KERNEL void draw_stream(GLOBAL const ulong *seeds, uint lanes, uint which, uint n, uint skip_k,
                        GLOBAL ulong *out, GLOBAL uint *degenerate) {
    uint gid = GLOBAL_ID();
    if (gid >= lanes) return;
    stream_t s;
    stream_seed(&s, seeds[gid]);
    for (uint i = 0; i < n; i++) {
        if (i) skip(&s, skip_k);
        out[(ulong)gid * n + i] = draw_any(&s, which);
    }
    degenerate[gid] = s.degenerate;
}
"""

#: one reduction's block of the sieve kernel, on a copy of the stream at the offset; R is its
#: index. FIRST_DRAW_MAY_MATCH is the cursor's verdict on the first draw, or 1.
_MATCH_ONE = """
        if (FIRST_DRAW_MAY_MATCH) {
          CATCH_UP();
          stream_t s = base;
          ulong d = draw_R(&s);
          if (s.degenerate) { REPORT(R, 0xFFFFFFFFu, 0); return; }
          if (d == observed[0]) {
            for (uint k = skip_low; k <= skip_high; k++) {
                stream_t t = s;
                uint j = 1;
                for (; j < PROBE; j++) {
                    skip(&t, k);
                    d = draw_R(&t);
                    if (t.degenerate) { REPORT(R, 0xFFFFFFFFu, 0); return; }
                    if (d != observed[j]) break;
                }
                if (j == PROBE) REPORT(R, offset, k);
            }
          }
        }"""

#: the cursor's first draw of reduction R, before its block
_CURSOR_FIRST = """
        cursor_t c_R; c_R.w = look; c_R.pos = 0; c_R.pending = 0; c_R.has_pending = 0;
        c_R.degenerate = 0;
        ulong first_R = draw_R_c(&c_R);"""

#: the most raw outputs the look-ahead holds (first draws needing more take the copy path)
MAX_LOOK = 16


def _look_ahead(generator: type[PRNG], reductions: tuple[Reduction, ...]) -> int:
    """Raw outputs the first draw of the cursor reductions usually needs, one spare for a
    rejection; 0 when no reduction draws on the cursor."""
    from kernels.sieve.vector import outputs_per_draw_bound

    needs = [outputs_per_draw_bound(r, generator) for r in reductions
             if not _uses_port_double(r, generator)]
    return min(max(needs) + 1, MAX_LOOK) if needs else 0


@cache
def program_source(generator: type[PRNG], reductions: tuple[Reduction, ...], probe: int,
                   one_offset: bool = False) -> str:
    """The whole device program for one generator, its reductions (``draw_0``, ``draw_1``...)
    and a probe length; with ``one_offset`` the sieve kernel is specialised for a single
    offset."""
    if not reductions:
        raise ValueError("a device program needs at least one reduction")
    if not 1 <= probe <= MAX_PROBE:
        raise ValueError(f"probe of {probe} draws: device kernels match 1..{MAX_PROBE}")
    prelude = (CL_ROOT / "prelude.h").read_text()
    port = _inline_includes((CL_ROOT / "generators" / f"{generator.name}.cl").read_text())
    look = _look_ahead(generator, reductions)
    parts = [prelude, port]
    if look:
        parts.append(f"#define LOOK {look}")
    parts.append(_stream_source(generator))
    on_cursor = [bool(look) and not _uses_port_double(r, generator) for r in reductions]
    if any(reduction.kind == "digits" for reduction in reductions):
        digit = _draw_body(native_below(generator, 10), generator)
        parts.append(f"DEVICE ulong draw_digit(stream_t *s) {{\n    {digit}\n}}")
        if any(c and r.kind == "digits" for c, r in zip(on_cursor, reductions)):
            parts.append(f"DEVICE ulong draw_digit_c(cursor_t *s) {{\n    {_on_cursor(digit)}\n}}")
    for index, reduction in enumerate(reductions):
        body = _draw_body(reduction, generator)
        parts.append(f"/* {reduction.spec} */\n"
                     f"DEVICE ulong draw_{index}(stream_t *s) {{\n    {body}\n}}")
        if on_cursor[index]:
            parts.append(f"DEVICE ulong draw_{index}_c(cursor_t *s) {{\n    {_on_cursor(body)}\n}}")
    cases = "\n".join(f"    case {index}: return draw_{index}(s);" for index in range(len(reductions)))
    parts.append(f"DEVICE ulong draw_any(stream_t *s, uint which) {{\n    switch (which) {{\n{cases}\n"
                 "    }\n    s->degenerate = 1; return 0;\n}")
    parts.append(f"#define PROBE {probe}")
    if one_offset:
        parts.append("#define ONE_OFFSET 1")
    blocks = []
    for index, cursor in enumerate(on_cursor):
        block = _MATCH_ONE.replace("FIRST_DRAW_MAY_MATCH",
                                   f"c_R.degenerate || first_R == observed[0]" if cursor else "1")
        if cursor:
            block = _CURSOR_FIRST + block
        blocks.append(block.replace("draw_R", f"draw_{index}").replace("(R,", f"({index}u,")
                      .replace("c_R", f"c_{index}").replace("first_R", f"first_{index}"))
    parts.append(_SIEVE_KERNEL.replace("MATCH_EVERY_REDUCTION", "\n".join(blocks)))
    return "\n".join(parts)

def hits_from_device(seeds: np.ndarray, reductions: np.ndarray, offsets: np.ndarray,
                     skips: np.ndarray) -> tuple[list[ProbeHit], np.ndarray]:
    """The sieve kernel's hit columns as probe hits, and the seeds it marked degenerate (offset
    0xFFFFFFFF), which the engine re-checks with the scalar reference."""
    hits: list[ProbeHit] = []
    overflow: set[int] = set()
    for seed, index, offset, k in zip(seeds.tolist(), reductions.tolist(), offsets.tolist(),
                                      skips.tolist()):
        if offset == DEGENERATE:
            overflow.add(seed)
        else:
            hits.append((seed, index, offset, (k,)))
    # a degenerate seed is re-checked whole: its other hits would be found twice
    hits = [hit for hit in hits if hit[0] not in overflow]
    return hits, np.array(sorted(overflow), dtype=np.uint64)
