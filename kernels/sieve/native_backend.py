"""The native CPU backend: the OpenCL/CUDA device program compiled by the system C compiler.

The program text is ``kernel_source.program_source``, unchanged but for the two kernels' first
parameter (the work item's index, which OpenCL reads from ``get_global_id``), behind a prelude
that maps the few OpenCL C names the sources use onto C. Each work item is one iteration of a
``#pragma omp simd`` loop over a block of seeds (the compiler may use the CPU's widest vectors,
512 bits where AVX-512 is there), and OpenMP threads take blocks. Without pocl's
``POCL_DEVICE_ADDRESS_BITS`` the MT ports compile their plain per-item seeding (no barriers).

Fast paths (``fast_paths``, on by default): a single-offset program tests each seed's first draw
from its first raw output alone before the kernel, in SIMD, and seeds streams only for the seeds
that pass; the MT19937 init_genrand ports compute that output from I[1] and I[397] only,
glibc_random from the srandom table's words as independent products (no 30-step chain), and
philox4x32_10 its one block with AVX-512 products where the CPU has them. Where every reduction
draws the raw output or it mod a constant, the test itself is branch-free SIMD (a divisibility
test, no 64-bit division).

A program is compiled once into a shared library kept in the user's cache directory, named by
the hash of its source, the compiler and the flags (like pocl's kernel cache), and loaded with
ctypes, which releases the GIL during a call.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import platform
import re
import shutil
import subprocess
import tempfile
from functools import cache
from pathlib import Path
from typing import Sequence

import numpy as np

from kernels.prng import PRNG
from kernels.reductions import Reduction
from kernels.sieve.kernel_source import (has_device_port, hits_from_device, port_covers,
                                         program_source)
from kernels.sieve.numpy_backend import NumpyBackend, ProbeHit

__all__ = ["NativeBackend", "native_available", "compiler", "FLAGS", "native_source"]

#: -ffp-contract=off: no fused multiply-adds, so doubles round as in the scalar reference;
#: GCC and clang keep to 256-bit vectors on x86 unless told to prefer 512 where the CPU has them
FLAGS = ("-O3", "-march=native", *(("-mprefer-vector-width=512",)
                                   if platform.machine() in ("x86_64", "AMD64") else ()),
         "-fopenmp", "-fPIC", "-shared", "-ffp-contract=off", "-fno-strict-aliasing",
         "-Wno-unknown-pragmas")

#: seeds per block: one thread's unit of work, a simd loop over it
_BLOCK = 1 << 14

_PRELUDE = """
#include <math.h>
typedef unsigned char uchar;
typedef unsigned short ushort;
typedef unsigned int uint;
typedef unsigned long ulong;
/* OpenCL C names used by prelude.h and the ports, for a C compiler */
#define __kernel static inline __attribute__((always_inline))
#define __global
#define __constant const
#define get_global_id(dim) native_gid
#define atomic_inc(p) __atomic_fetch_add((p), 1u, __ATOMIC_RELAXED)
#define mul_hi(a, b) ((ulong)(((unsigned __int128)(a) * (unsigned __int128)(b)) >> 64))
"""

#: the sieve kernel's seeding, which the native build hoists into a SIMD loop of its own
_SIEVE_SEEDING = "stream_seed(&base, seed);"

_ENTRY_POINTS = f"""
#define NATIVE_BLOCK {_BLOCK}UL
/* seeds seeded together, in one SIMD loop: as many streams as fit in 64 KiB of stack */
#define NATIVE_BATCH (sizeof(stream_t) < 65536 ? 65536 / sizeof(stream_t) : 1)

#ifndef NATIVE_SEED_LIST
static inline void native_seed_list(stream_t *seeded, const ulong *seeds, ulong count) {{
    #pragma omp simd
    for (ulong i = 0; i < count; i++) stream_seed(&seeded[i], seeds[i]);
}}
#define NATIVE_SEED_LIST native_seed_list
#endif

#ifdef NATIVE_MAY_MATCH
#define NATIVE_PREFILTER 1
/* passed[i]: whether seed first + i may match, from its raw output at the offset. The test is
 * a loop of its own: a reduction with a 64-bit division (mod of a ulong) has no SIMD form, and
 * inside the seeding loop it would keep the seeding scalar. A test written branch-free (raw and
 * mod reductions, NATIVE_MAY_MATCH_BRANCH_FREE) is a SIMD loop; others are left to the
 * compiler's cost model. */
#ifndef NATIVE_FIRST_RAWS
/* A seed's raw output at the offset, from a stream of its own. The stream is this function's
 * local, not the SIMD loop's: OpenMP makes a variable declared in a simd loop an array with a
 * stream per lane, which the vectoriser cannot store into (a strided scatter of whole structs),
 * and the loop stayed scalar; a callee's local is broken into registers once inlined. */
static inline ulong native_raw_at(ulong seed, uint offset) {{
    stream_t s;
    stream_seed(&s, seed);
    skip(&s, offset);
    return next_raw(&s);
}}
/* each seed's raw output at the offset, in one SIMD loop at offset 0 (straight-line code, which
 * vectorises where the port's code does) */
static inline int native_first_raws(ulong *firsts, ulong first, ulong count, uint offset) {{
    if (offset == 0u) {{
        #pragma omp simd
        for (ulong i = 0; i < count; i++) firsts[i] = native_raw_at(first + i, 0u);
    }} else {{
        for (ulong i = 0; i < count; i++) firsts[i] = native_raw_at(first + i, offset);
    }}
    return 1;
}}
#define NATIVE_FIRST_RAWS native_first_raws
#endif
static inline int native_passes(uchar *passed, ulong *firsts, ulong first, ulong count,
                                uint offset, const ulong *observed) {{
    if (!NATIVE_FIRST_RAWS(firsts, first, count, offset)) return 0;
#ifdef NATIVE_MAY_MATCH_BRANCH_FREE
    #pragma omp simd
    for (ulong i = 0; i < count; i++) passed[i] = (uchar)NATIVE_MAY_MATCH(firsts[i], observed);
#else
    for (ulong i = 0; i < count; i++) passed[i] = (uchar)NATIVE_MAY_MATCH(firsts[i], observed);
#endif
    return 1;
}}
/* the raw output at the offset of a seeded stream, on a copy */
static inline ulong native_first_raw(const stream_t *seeded, uint offset) {{
    stream_t s = *seeded;
    skip(&s, offset);
    return next_raw(&s);
}}
#else
#define NATIVE_PREFILTER 0
#define NATIVE_MAY_MATCH(word, observed) 1
#define native_passes(passed, firsts, first, count, offset, observed) 0
#define native_first_raw(seeded, offset) 0
#endif

/* Every seed of [0, lanes): blocks across threads, batches of NATIVE_BATCH seeds in a block.
 * Seeding is where one-output searches spend their time, and the rest of the item, with its
 * calls and rare matches, would keep a whole-item loop scalar: so a batch is seeded in SIMD loops
 * of its own, then each seed runs the rest of the sieve kernel from its seeded stream. With a
 * first-draw test (NATIVE_MAY_MATCH), each seed's raw output at the offset is tested first (from
 * the port's NATIVE_FIRST_RAWS, or from a stream seeded in the same SIMD loop) and only the seeds
 * that pass are seeded as streams; where a port's first raws do not reach the offset, every seed
 * is seeded and tested from its stream. */
void native_sieve(ulong seed_start, uint lanes, const ulong *observed, uint offset_start,
                  uint offset_stop, uint skip_low, uint skip_high, uint *hit_count,
                  ulong *hit_seeds, uint *hit_reductions, uint *hit_offsets, uint *hit_skips,
                  uint max_hits) {{
    ulong blocks = ((ulong)lanes + NATIVE_BLOCK - 1) / NATIVE_BLOCK;
    #pragma omp parallel
    {{
        stream_t seeded[NATIVE_BATCH];
        ulong listed[NATIVE_BATCH], firsts[NATIVE_BATCH];
        uchar passed[NATIVE_BATCH + 8];
        #pragma omp for schedule(dynamic, 1)
        for (ulong block = 0; block < blocks; block++) {{
            ulong high = (block + 1) * NATIVE_BLOCK < lanes ? (block + 1) * NATIVE_BLOCK : lanes;
            for (ulong low = block * NATIVE_BLOCK; low < high; low += NATIVE_BATCH) {{
                ulong count = high - low < NATIVE_BATCH ? high - low : NATIVE_BATCH, n = 0;
                int filtered = NATIVE_PREFILTER && native_passes(passed, firsts, seed_start + low,
                                                                 count, offset_start, observed);
                if (filtered) {{
                    /* a scan that skips 8 failed seeds at a time */
                    for (ulong i = count; i < count + 8; i++) passed[i] = 0;
                    for (ulong i = 0; i < count; i += 8) {{
                        ulong eight;
                        __builtin_memcpy(&eight, &passed[i], 8);
                        if (eight == 0) continue;
                        for (ulong j = i; j < i + 8 && j < count; j++)
                            if (passed[j]) listed[n++] = seed_start + low + j;
                    }}
                }} else {{
                    for (ulong i = 0; i < count; i++) listed[i] = seed_start + low + i;
                    n = count;
                }}
                NATIVE_SEED_LIST(seeded, listed, n);
                for (ulong i = 0; i < n; i++)
                    if (filtered || !NATIVE_PREFILTER ||
                        NATIVE_MAY_MATCH(native_first_raw(&seeded[i], offset_start), observed))
                        sieve(listed[i] - seed_start, &seeded[i], seed_start, lanes, observed,
                              offset_start, offset_stop, skip_low, skip_high, hit_count,
                              hit_seeds, hit_reductions, hit_offsets, hit_skips, max_hits);
            }}
        }}
    }}
}}

void native_draw_stream(const ulong *seeds, uint lanes, uint which, uint n, uint skip_k,
                        ulong *out, uint *degenerate) {{
    #pragma omp parallel for schedule(static)
    for (ulong gid = 0; gid < lanes; gid++)
        draw_stream(gid, seeds, lanes, which, n, skip_k, out, degenerate);
}}
"""


#: ports whose seeding is init_genrand's walk (``<name>_seed`` is ``mtg_seed``)
_INIT_GENRAND_PORT = re.compile(r"#define\s+\w+_seed\s+mtg_seed\b")

#: Seeding of the init_genrand ports, a batch at a time. One seed's walk to I[398] is a chain of
#: dependent multiplies: a SIMD loop over seeds with the walk inside runs one vector at a time at
#: the multiplier's latency (pocl's ports break the walk with barriers for the same reason). Here
#: the walk steps all NATIVE_JAM seeds at once (16 vectors of 16 words with AVX-512), then each
#: stream gets the state of mtg_seed's plain path and stream_seed's empty buffers; the
#: backends-agree tests hold the two seedings together. Output 0 needs only I[0], I[1] and
#: I[397] (as in php_mt_seed): the first raw outputs of a batch stop there, with no stream.
_INIT_GENRAND_BATCH = """
#define NATIVE_JAM 256
/* I[1] and I[397] of each seed's init_genrand walk, NATIVE_JAM seeds at a time */
#define NATIVE_MTG_WALK(seed_of)                                                   \\
        uint x[NATIVE_JAM], i1[NATIVE_JAM];                                        \\
        _Pragma("omp simd")                                                        \\
        for (uint l = 0; l < NATIVE_JAM; l++) {                                    \\
            x[l] = mt_init_step((uint)((seed_of) & 0xFFFFFFFFUL), 1u);             \\
            i1[l] = x[l];                                                          \\
        }                                                                          \\
        for (uint i = 2u; i <= 397u; i++) {                                        \\
            _Pragma("omp simd")                                                    \\
            for (uint l = 0; l < NATIVE_JAM; l++) x[l] = mt_init_step(x[l], i);    \\
        }
static void native_mtg_seed_list(stream_t *seeded, const ulong *seeds, ulong count) {
    for (ulong low = 0; low < count; low += NATIVE_JAM) {
        ulong n = count - low < NATIVE_JAM ? count - low : NATIVE_JAM;
        NATIVE_MTG_WALK(seeds[low + (l < n ? l : 0u)])
        for (ulong l = 0; l < n; l++) {
            uint s = (uint)(seeds[low + l] & 0xFFFFFFFFUL);
            stream_t *st = &seeded[low + l];
            st->g.out = mt_temper(mt_tw(s, i1[l], x[l]));
            st->g.seed = s;
            st->g.a = i1[l];
            st->g.f = mt_init_step(x[l], 398u);
            st->g.k = 0u;
            st->has_pending = 0; st->pending = 0; st->degenerate = 0;
        }
    }
}
#define NATIVE_SEED_LIST native_mtg_seed_list

/* output 0 of seeds first .. first + count - 1 (offset 0 only) */
static int native_mtg_first_raws(ulong *firsts, ulong first, ulong count, uint offset) {
    if (offset != 0u) return 0;
    for (ulong low = 0; low < count; low += NATIVE_JAM) {
        NATIVE_MTG_WALK(first + low + l)
        ulong n = count - low < NATIVE_JAM ? count - low : NATIVE_JAM;
        #pragma omp simd
        for (ulong l = 0; l < n; l++)
            firsts[low + l] = mt_temper(mt_tw((uint)((first + low + l) & 0xFFFFFFFFUL), i1[l], x[l]));
    }
    return 1;
}
#define NATIVE_FIRST_RAWS native_mtg_first_raws
"""


#: the glibc_random port (``_glibc_srandom.h``'s table and coefficients)
_GLIBC_RANDOM_PORT = re.compile(r"#define\s+glibc_random_FAST\s+\d+")
#: the srandom table's modulus, 2**31 - 1, and multiplier
_MINSTD_MODULUS, _MINSTD_MULTIPLIER = (1 << 31) - 1, 16807

#: First raw outputs of glibc_random straight from the seeds. The srandom table is s[0] = u (the
#: seed's low word, 0 made 1) and s[j] = 16807 s[j-1] mod p (p = 2**31 - 1) by glibc's Schrage
#: step on a signed word, which for a negative word -n is (-16807 n) mod p: so s[j] = t_j for a
#: positive word and p - t_j (0 for t_j = 0) for a negative one, t_j = v 16807**j mod p with
#: v = u or n. Each t_j is one multiply by a constant and a reduction, independent of the others
#: (no chain of 30 dependent steps), and raw output k < glibc_random_FAST is the dot product of
#: the table with row k of glibc_srandom_W; for a negative word the sum of W_j (p - t_j) is
#: p sum(W_j) - sum(W_j t_j), unless every t_j is 0 (n = p).
_GLIBC_RANDOM_FIRSTS = """
static const uint native_glibc_powers[31] = {POWERS};
static int native_glibc_first_raws(ulong *firsts, ulong first, ulong count, uint offset) {
    if (offset >= glibc_random_FAST) return 0;
    const uint base = glibc_srandom_FAST - 1u - offset;
    uint weight_p = 0u;  /* p times the sum of W_j, j >= 1, mod 2**32 */
    for (uint j = 1; j < 31; j++) weight_p += glibc_srandom_W[base + j] * 0x7FFFFFFFu;
    #pragma omp simd
    for (ulong i = 0; i < count; i++) {
        uint u = (uint)(first + i);
        if (u == 0u) u = 1u;
        uint negative = u >= 0x80000000u;
        ulong v = negative ? (ulong)(0u - u) : (ulong)u;
        ulong sum = 0;
        #pragma GCC unroll 31
        for (uint j = 1; j < 31; j++) {
            ulong t = v * (ulong)native_glibc_powers[j];
            t = (t & 0x7FFFFFFFUL) + (t >> 31);
            t = (t & 0x7FFFFFFFUL) + (t >> 31);
            t = t >= 0x7FFFFFFFUL ? t - 0x7FFFFFFFUL : t;
            sum += (ulong)glibc_srandom_W[base + j] * t;
        }
        uint dot = glibc_srandom_W[base] * u;
        if (!negative) dot += (uint)sum;
        else if (v != 0x7FFFFFFFUL) dot += weight_p - (uint)sum;
        firsts[i] = dot >> 1;
    }
    return 1;
}
#define NATIVE_FIRST_RAWS native_glibc_first_raws
""".replace("POWERS", ", ".join(f"{pow(_MINSTD_MULTIPLIER, j, _MINSTD_MODULUS)}u"
                                for j in range(31)))


#: the philox4x32_10 port (its round constants, named)
_PHILOX4X32_PORT = re.compile(r"#define\s+PHILOX4X32_M0\s")

#: Raw output ``offset`` of philox4x32_10, word offset % 4 of block offset / 4 under key = the
#: seed, 16 seeds to a vector where AVX-512 is there. GCC writes the rounds' 32 x 32 -> 64-bit
#: products with vpmullq, a 64 x 64 multiply of three micro-ops on 8 lanes; vpmuludq takes the
#: even lanes' products in one, so the hi and lo words of 16 products cost two of them and three
#: shuffles (1.8x the compiler's loop). Elsewhere the generic first raws stand.
_PHILOX4X32_FIRSTS = """
#ifdef __AVX512F__
#include <immintrin.h>
/* the hi and lo words of the 16 products a * m, 32 x 32 -> 64 bits */
static inline __m512i native_philox_mul(__m512i a, __m512i m, __m512i *lo) {
    __m512i even = _mm512_mul_epu32(a, m);
    __m512i odd = _mm512_mul_epu32(_mm512_srli_epi64(a, 32), m);
    *lo = _mm512_mask_blend_epi32(0xAAAA, even, _mm512_slli_epi64(odd, 32));
    return _mm512_mask_blend_epi32(0xAAAA, _mm512_srli_epi64(even, 32), odd);
}
static int native_philox_first_raws(ulong *firsts, ulong first, ulong count, uint offset) {
    const __m512i m0 = _mm512_set1_epi32((int)PHILOX4X32_M0);
    const __m512i m1 = _mm512_set1_epi32((int)PHILOX4X32_M1);
    const __m512i lanes = _mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
    const uint word = offset & 3u;
    ulong i = 0;
    for (; i + 16u <= count; i += 16u) {
        ulong low = first + i;
        /* keys of seeds low .. low + 15: the high word carries where the low word wraps */
        __m512i k0 = _mm512_add_epi32(_mm512_set1_epi32((int)(uint)low), lanes);
        __mmask16 wrapped = _mm512_cmplt_epu32_mask(k0, _mm512_set1_epi32((int)(uint)low));
        __m512i high = _mm512_set1_epi32((int)(uint)(low >> 32));
        __m512i k1 = _mm512_mask_add_epi32(high, wrapped, high, _mm512_set1_epi32(1));
        __m512i x0 = _mm512_set1_epi32((int)(offset >> 2)), x1 = _mm512_setzero_si512();
        __m512i x2 = x1, x3 = x1, lo0, lo1;
        for (uint r = 0; r < 10u; r++) {
            if (r) {
                k0 = _mm512_add_epi32(k0, _mm512_set1_epi32((int)PHILOX4X32_W0));
                k1 = _mm512_add_epi32(k1, _mm512_set1_epi32((int)PHILOX4X32_W1));
            }
            __m512i hi0 = native_philox_mul(x0, m0, &lo0), hi1 = native_philox_mul(x2, m1, &lo1);
            x0 = _mm512_xor_si512(_mm512_xor_si512(hi1, x1), k0);
            x2 = _mm512_xor_si512(_mm512_xor_si512(hi0, x3), k1);
            x1 = lo1;
            x3 = lo0;
        }
        __m512i out = word == 0u ? x0 : word == 1u ? x1 : word == 2u ? x2 : x3;
        _mm512_storeu_si512((void *)&firsts[i], _mm512_cvtepu32_epi64(_mm512_castsi512_si256(out)));
        _mm512_storeu_si512((void *)&firsts[i + 8u],
                            _mm512_cvtepu32_epi64(_mm512_extracti64x4_epi64(out, 1)));
    }
    for (; i < count; i++) {
        stream_t s;
        stream_seed(&s, first + i);
        skip(&s, offset);
        firsts[i] = next_raw(&s);
    }
    return 1;
}
#define NATIVE_FIRST_RAWS native_philox_first_raws
#endif
"""


#: the sieve kernel's test of reduction i's first draw on the look-ahead cursor
_CURSOR_TEST = "c_{i}.degenerate || first_{i} == observed[0]"


#: a cursor draw of reduction {i} that is the raw output itself, or it mod a constant
_RAW_CURSOR_DRAW = "DEVICE ulong draw_{i}_c(cursor_t *s) {{\n    return next_raw_c(s);\n}}"
_MOD_CURSOR_DRAW = (r"DEVICE ulong draw_{i}_c\(cursor_t \*s\) \{{\n"
                    r"    return next_raw_c\(s\) % (\d+)UL;\n\}}")

#: Whether m divides n, for m = 2**k q (q odd): n q**-1 mod 2**64, rotated right by k, is at
#: most (2**64 - 1) / m (Granlund and Montgomery's test, Hacker's Delight 10-17). One multiply
#: and a rotate, which vectorise where a 64-bit division does not.
_DIVISIBLE = """
static inline int native_divisible(ulong n, ulong odd_inverse, uint shift, ulong limit) {
    n *= odd_inverse;
    return ((n >> shift) | (n << ((64u - shift) & 63u))) <= limit;
}"""


def _branch_free_test(program: str, i: int) -> str:
    """Reduction ``i``'s first-draw test as a C expression with no branch over ``word`` (the raw
    output) and ``v`` (the first observed value), where its draw is the raw output (word == v)
    or the raw output mod m (word % m == v: v < m, word >= v and m divides word - v); empty
    for other draws."""
    if _RAW_CURSOR_DRAW.format(i=i) in program:
        return "(word == v)"
    found = re.search(_MOD_CURSOR_DRAW.format(i=i), program)
    if found is None or not 0 < int(found.group(1)) < 1 << 64:
        return ""
    modulus = int(found.group(1))
    shift = (modulus & -modulus).bit_length() - 1
    inverse = pow(modulus >> shift, -1, 1 << 64)
    limit = ((1 << 64) - 1) // modulus
    return (f"((v < {modulus}UL) & (word >= v) & "
            f"native_divisible(word - v, {inverse:#x}UL, {shift}u, {limit:#x}UL))")


def _may_match_source(program: str) -> str:
    """A cheap first test of a seeded stream, run before the sieve kernel: in a single-offset
    program whose every reduction takes its first draw from the look-ahead cursor, the seed can
    only match where one of those draws, from the first raw output alone, equals the first
    observed value (or needs more than that output, or is degenerate). Most seeds stop here after
    one output instead of the kernel's LOOK outputs and stream copies. Empty where the kernel
    does not test exactly that."""
    if "#define ONE_OFFSET 1" not in program:
        return ""
    count = len(re.findall(r"^\s*case (\d+): return draw_\1\(s\);", program, re.M))
    if count == 0:
        return ""
    tests = []
    for i in range(count):
        if f"DEVICE ulong draw_{i}_c(cursor_t *s)" not in program or \
                _CURSOR_TEST.format(i=i) not in program:
            return ""
        tests.append(f"    c.pos = 0; c.pending = 0; c.has_pending = 0; c.degenerate = 0;\n"
                     f"    first = draw_{i}_c(&c);\n"
                     f"    if (c.degenerate || c.pos > 1u || first == observed[0]) return 1;")
    branch_free = [_branch_free_test(program, i) for i in range(count)]
    if all(branch_free):
        return f"""
/* every reduction's first draw is the raw output or the raw output mod a constant: a test with
 * no branch and no division, which vectorises */
{_DIVISIBLE}
static inline int native_may_match(ulong word, const ulong *observed) {{
    ulong v = observed[0];
    return {" | ".join(branch_free)};
}}
#define NATIVE_MAY_MATCH native_may_match
#define NATIVE_MAY_MATCH_BRANCH_FREE 1
"""
    body = "\n".join(tests)
    return f"""
/* words past look[0] are unknown: a draw that reads them (pos > 1) may match */
static inline int native_may_match(ulong word, const ulong *observed) {{
    ulong look[LOOK] = {{0}};
    look[0] = word;
    cursor_t c;
    c.w = look;
    ulong first;
{body}
    return 0;
}}
#define NATIVE_MAY_MATCH native_may_match
"""


def compiler() -> str | None:
    """The C compiler (``$CC``, else ``cc``), or None if there is none on PATH."""
    return shutil.which(os.environ.get("CC", "cc"))


@cache
def _compiler_identity(cc: str) -> str:
    """What the cache key needs of the compiler and the CPU -march=native targets."""
    version = subprocess.run([cc, "--version"], capture_output=True, text=True, check=False).stdout
    cpu = ""
    try:
        cpu = next((line for line in Path("/proc/cpuinfo").read_text().splitlines()
                    if line.startswith("flags")), "")
    except OSError:
        pass
    return f"{os.path.realpath(cc)}\n{version}\n{cpu}"


@cache
def native_available() -> bool:
    """A C compiler that builds and loads an OpenMP shared library here."""
    cc = compiler()
    if cc is None:
        return False
    try:
        _library("void native_probe(void) {}\n", cc)
    except (OSError, RuntimeError):
        return False
    return True


def native_source(program: str, fast_paths: bool = True) -> str:
    """The device program as a C translation unit with the native entry points: each kernel
    takes its work item's index first, and the sieve kernel its seeded stream. Without
    ``fast_paths``, the first-draw test before the kernel is left out (the program as first
    built, kept for benchmarks and for tests that hold the two together)."""
    heads = {"KERNEL void sieve(": "ulong native_gid, const stream_t *native_seeded, ",
             "KERNEL void draw_stream(": "ulong native_gid, "}
    for head, parameters in heads.items():
        if program.count(head) != 1:
            raise RuntimeError(f"device program has no single {head!r}: kernel_source changed")
        program = program.replace(head, head + parameters)
    if program.count(_SIEVE_SEEDING) != 1:
        raise RuntimeError(f"sieve kernel has no single {_SIEVE_SEEDING!r}: kernel_source changed")
    program = program.replace(_SIEVE_SEEDING, "base = *native_seeded;")
    batch = _INIT_GENRAND_BATCH if _INIT_GENRAND_PORT.search(program) else ""
    may_match = _may_match_source(program) if fast_paths else ""
    if may_match and _GLIBC_RANDOM_PORT.search(program):
        may_match += _GLIBC_RANDOM_FIRSTS
    if may_match and _PHILOX4X32_PORT.search(program):
        may_match += _PHILOX4X32_FIRSTS
    return _PRELUDE + program + batch + may_match + _ENTRY_POINTS


def _cache_dir() -> Path:
    root = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(root) / "prng-watcher" / "native"


_loaded: dict[str, ctypes.CDLL] = {}

#: How OpenMP threads wait between parallel regions, unless the environment says: asleep. By
#: default libgomp spins 300,000 pauses first, milliseconds on recent x86, after every call that
#: itself takes a few milliseconds: on a loaded 2-core machine the idle thread's spinning cost
#: about as much CPU as the search (xoshiro256starstar, one draw: 327 M seeds per CPU second
#: spinning, 861 M asleep). libgomp reads this once, when the first library that uses it loads.
_OPENMP_WAIT_POLICY = "passive"


def _library(source: str, cc: str) -> ctypes.CDLL:
    """The compiled library of ``source``: loaded, built into the disk cache, or built now."""
    key = hashlib.sha256("\0".join([source, _compiler_identity(cc), *FLAGS]).encode()).hexdigest()
    if key in _loaded:
        return _loaded[key]
    directory = _cache_dir()
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{key[:32]}.so"
    if not path.exists():
        with tempfile.TemporaryDirectory(dir=directory) as work:
            c_file = Path(work) / "program.c"
            c_file.write_text(source)
            built = Path(work) / "program.so"
            result = subprocess.run([cc, *FLAGS, "-o", str(built), str(c_file)],
                                    capture_output=True, text=True, check=False)
            if result.returncode != 0:
                raise RuntimeError(f"{cc} failed to build a native sieve program:\n"
                                   f"{result.stderr[-4000:]}")
            os.replace(built, path)  # atomic: a concurrent build of the same key is harmless
    os.environ.setdefault("OMP_WAIT_POLICY", _OPENMP_WAIT_POLICY)
    library = ctypes.CDLL(str(path))
    _loaded[key] = library
    return library


_u64p = np.ctypeslib.ndpointer(dtype=np.uint64, flags="C_CONTIGUOUS")
_u32p = np.ctypeslib.ndpointer(dtype=np.uint32, flags="C_CONTIGUOUS")
_u32, _u64 = ctypes.c_uint32, ctypes.c_uint64


class NativeBackend:
    """Sieve probes on this CPU's cores, in a program built by the system C compiler."""

    name = "native"
    #: seeds per call: many blocks per thread, so a loaded core does not hold the others up
    preferred_chunk = 1 << 22

    def __init__(self, max_hits: int = 1 << 16, fast_paths: bool = True) -> None:
        cc = compiler()
        if cc is None:
            raise RuntimeError("no C compiler found (set CC or install cc)")
        self._cc = cc
        self.max_hits = max_hits
        self.fast_paths = fast_paths
        self._fallback = NumpyBackend()
        self.description = (f"{Path(cc).name} {' '.join(FLAGS[:2])}, {os.cpu_count()} CPUs"
                            + ("" if fast_paths else ", without fast paths"))

    @staticmethod
    def available() -> bool:
        return native_available()

    def supports(self, generator: type[PRNG], reduction: Reduction) -> bool:
        return has_device_port(generator) or self._fallback.supports(generator, reduction)

    def _function(self, generator: type[PRNG], reductions: Sequence[Reduction], probe: int,
                  name: str, one_offset: bool = False):
        source = native_source(program_source(generator, tuple(reductions), probe, one_offset),
                               self.fast_paths)
        function = getattr(_library(source, self._cc), name)
        if name == "native_sieve":
            function.argtypes = [_u64, _u32, _u64p, _u32, _u32, _u32, _u32, _u32p, _u64p, _u32p,
                                 _u32p, _u32p, _u32]
        else:
            function.argtypes = [_u64p, _u32, _u32, _u32, _u32, _u64p, _u32p]
        function.restype = None
        return function

    def draw_stream(self, generator: type[PRNG], reduction: Reduction, seeds: np.ndarray, n: int,
                    skip: int = 0) -> tuple[np.ndarray, np.ndarray]:
        """The first ``n`` draws of each seed (for testing ports)."""
        seeds = np.ascontiguousarray(seeds, dtype=np.uint64)
        out = np.zeros(len(seeds) * n, dtype=np.uint64)
        degenerate = np.zeros(len(seeds), dtype=np.uint32)
        function = self._function(generator, [reduction], 1, "native_draw_stream")
        function(seeds, len(seeds), 0, n, skip, out, degenerate)
        return out.reshape(len(seeds), n), degenerate.astype(bool)

    def probe(self, generator: type[PRNG], reductions: Sequence[Reduction],
              seeds: np.ndarray | range, offsets: range, skips: range, variable_skip: bool,
              observed: list[int]) -> tuple[list[ProbeHit], np.ndarray]:
        """One call for every reduction, offset and skip (each seed seeded once); variable
        skips and ports not exact this deep go to numpy."""
        if variable_skip or not port_covers(generator, reductions, offsets, skips, len(observed)):
            return self._fallback.probe(generator, reductions, seeds, offsets, skips,
                                        variable_skip, observed)
        start = int(seeds[0])
        if len(seeds) > 1 and int(seeds[-1]) - start != len(seeds) - 1:
            raise ValueError("the native backend searches contiguous seed ranges")
        function = self._function(generator, reductions, len(observed), "native_sieve",
                                  one_offset=len(offsets) == 1)
        count = np.zeros(1, dtype=np.uint32)
        hit_seeds = np.zeros(self.max_hits, dtype=np.uint64)
        columns = [np.zeros(self.max_hits, dtype=np.uint32) for _ in range(3)]
        function(start, len(seeds), np.asarray(observed, dtype=np.uint64), offsets.start,
                 offsets.stop, skips.start, skips.stop - 1, count, hit_seeds, *columns,
                 self.max_hits)
        found = int(count[0])
        if found > self.max_hits:
            raise RuntimeError(f"{found} native hits exceed the buffer of {self.max_hits}; "
                               "use a longer probe or smaller chunks")
        return hits_from_device(hit_seeds[:found], *(column[:found] for column in columns))
