"""A small LLL lattice reduction over Python integers, and the truncated-LCG attack built on it.

Seeing only the top ``k`` bits of each state of an LCG modulo ``M = 2**m`` (Java's
``nextInt(2**k)``) leaves ``m - k`` unknown low bits per draw, too many to enumerate. The states
``w_i = s_i - c_i = a_i * s_0 mod M`` form a lattice spanned by ``(1, a_1, ..., a_{n-1})`` and
``M e_i``; the draws put ``w`` within ``2**(m-k-1)`` of a known target in every coordinate. With
the target embedded as one more basis row (Kannan's embedding), the difference ``w - target``
is an unusually short vector, which LLL finds once ``n`` draws carry enough bits (roughly
``n > m / (k + 1)``). Every answer is checked by replaying the draws exactly, so a reduction
that fails numerically can only cost the recovery, never make it wrong.

The reduction keeps the basis in exact integers and the Gram-Schmidt data in floats (the
dimensions here stay below 50).

Small bounds (``nextInt(3)`` .. ``nextInt(11)``) show too little per draw for that: the answer
no longer stands out. :func:`low_guess_lcg_states` guesses the hidden low bits instead, which
turns the top bits into an exact affine map; the draws' quotients then lie in a box of a lattice
that depends on the draw count only, reduced once with fpylll's BKZ, and the box is searched by
pruned enumeration (Schnorr-Euchner) for every guess.
"""

from __future__ import annotations

from functools import lru_cache

import numba
import numpy as np
from fpylll import BKZ, LLL, IntegerMatrix

__all__ = ["lll", "truncated_lcg_states", "bounded_lcg_states", "low_guess_lcg_states",
           "low_guess_top_states"]


def _dot(u: list[int], v: list[int]) -> int:
    return sum(a * b for a, b in zip(u, v))


def lll(basis: list[list[int]], delta: float = 0.99) -> list[list[int]]:
    """An LLL-reduced basis of the lattice spanned by the rows of ``basis`` (a new list).

    Swaps update the Gram-Schmidt data in place, which is fast but lets float errors build up;
    so passes repeat from a freshly computed Gram-Schmidt basis until one makes no swap."""
    b = [list(row) for row in basis]
    for _ in range(50):
        b, swaps = _lll_pass(b, delta)
        if not swaps:
            break
    return b


def _lll_pass(basis: list[list[int]], delta: float) -> tuple[list[list[int]], int]:
    b = [list(row) for row in basis]
    swaps = 0
    n = len(b)
    if n == 0:
        return b, 0
    star: list[list[float]] = [[0.0] * len(b[0]) for _ in range(n)]
    norms = [0.0] * n
    mu = [[0.0] * n for _ in range(n)]

    def update(i: int) -> None:
        vector = [float(x) for x in b[i]]
        for j in range(i):
            if norms[j] == 0.0:
                mu[i][j] = 0.0
                continue
            mu[i][j] = sum(float(x) * y for x, y in zip(b[i], star[j])) / norms[j]
            vector = [x - mu[i][j] * y for x, y in zip(vector, star[j])]
        star[i] = vector
        norms[i] = sum(x * x for x in vector)

    for i in range(n):
        update(i)
    k = 1
    while k < n:
        for j in range(k - 1, -1, -1):
            q = round(mu[k][j])
            if q:
                b[k] = [x - q * y for x, y in zip(b[k], b[j])]
                for l in range(j + 1):
                    mu[k][l] -= q * (mu[j][l] if l < j else 1.0)
        if norms[k] >= (delta - mu[k][k - 1] ** 2) * norms[k - 1]:
            k += 1
            continue
        # swap b[k-1] and b[k], updating the Gram-Schmidt data in place (Cohen, Alg. 2.6.3)
        b[k], b[k - 1] = b[k - 1], b[k]
        swaps += 1
        m = mu[k][k - 1]
        joined = norms[k] + m * m * norms[k - 1]
        if joined == 0.0:
            k = max(k - 1, 1)
            continue
        mu[k][k - 1] = m * norms[k - 1] / joined
        norms[k] = norms[k - 1] * norms[k] / joined
        norms[k - 1] = joined
        for j in range(k - 1):
            mu[k - 1][j], mu[k][j] = mu[k][j], mu[k - 1][j]
        for i in range(k + 1, n):
            t = mu[i][k]
            mu[i][k] = mu[i][k - 1] - m * t
            mu[i][k - 1] = t + mu[k][k - 1] * mu[i][k]
        k = max(k - 1, 1)
    return b, swaps


def truncated_lcg_states(tops: list[int], steps: list[tuple[int, int]], modulus_bits: int,
                         shown_bits: int) -> list[int]:
    """First states ``s_0`` whose top ``shown_bits`` bits, stepped by ``steps`` (``s_i = A_i s_0
    + C_i mod 2**modulus_bits``, ``steps[0] = (1, 0)``), read ``tops``: the candidates the
    reduced lattice offers (possibly none, or wrong ones: the caller checks them)."""
    modulus = 1 << modulus_bits
    hidden = modulus_bits - shown_bits
    half = 1 << (hidden - 1) if hidden else 0
    n = len(tops)
    target = [((top << hidden) + half - c) % modulus for top, (_, c) in zip(tops, steps)]
    scale = max(half, 1)
    rows = [[a % modulus for a, _ in steps] + [0]]
    for i in range(1, n):
        rows.append([modulus if j == i else 0 for j in range(n)] + [0])
    rows.append(target + [scale])
    found = []
    for row in lll(rows):
        if abs(row[-1]) != scale:
            continue
        sign = 1 if row[-1] == scale else -1
        # row = sign * (target - w) + lattice part that vanishes: w = target - sign * row
        w0 = (target[0] - sign * row[0]) % modulus
        found.append(w0)
    return found


def bounded_lcg_states(draws: list[int], steps: list[tuple[int, int]], bound: int, shift: int,
                       modulus_bits: int) -> list[int]:
    """First states ``s_0`` whose draws ``(s_i >> shift) mod bound`` read ``draws`` (``s_i =
    A_i s_0 + C_i mod 2**modulus_bits``, ``steps[0] = (1, 0)``), for any bound, odd ones
    included, which show no state bit directly: the candidates the reduced lattice offers
    (possibly none, or wrong ones: the caller checks them).

    Each draw says ``s_i = 2**shift * (q_i * bound + r_i) + e_i`` with unknown ``q_i <
    2**(m - shift) / bound`` and ``e_i < 2**shift``: the vectors ``(s_i - 2**shift bound q_i mod
    2**m, q_i)`` form a lattice of dimension ``2n`` (determinant ``2**(m (n-1))``) in which the
    draws put the answer inside a box of volume ``(2**m / bound)**n``; each coordinate is scaled
    so the box is a cube, and the centre embedded as in :func:`truncated_lcg_states`. The
    answer stands out by about ``sqrt(bound)`` over the lattice's other short vectors, which
    LLL finds from about ``bound = 13`` on (LattiCG's construction)."""
    modulus = 1 << modulus_bits
    n = len(draws)
    quotients = [(((1 << (modulus_bits - shift)) - 1 - r) // bound + 1) for r in draws]
    widest = max(quotients)
    # u coordinates span 2**shift, q coordinates up to `widest`: scale both to 2**shift * widest
    scale_u, scale_q = widest, 1 << shift
    half = (1 << (shift - 1)) * widest
    step = bound << shift
    rows = [[(a % modulus) * scale_u for a, _ in steps] + [0] * (n + 1)]
    for i in range(1, n):
        row = [0] * (2 * n + 1)
        row[i] = modulus * scale_u
        rows.append(row)
    for i in range(n):
        row = [0] * (2 * n + 1)
        row[i] = -step * scale_u
        row[n + i] = scale_q
        rows.append(row)
    target_u = [(((r << shift) + (1 << (shift - 1)) - c) % modulus) * scale_u
                for r, (_, c) in zip(draws, steps)]
    target_q = [(q // 2) * scale_q for q in quotients]
    rows.append(target_u + target_q + [half])
    found = []
    for row in lll(rows):
        if abs(row[-1]) != half:
            continue
        sign = 1 if row[-1] == half else -1
        # the lattice vector is target - sign * row: s_0 = u_0 + 2**shift bound q_0
        u0 = (target_u[0] - sign * row[0]) // scale_u
        q0 = (target_q[0] - sign * row[n]) // scale_q
        found.append((u0 + step * q0) % modulus)
    return found


#: BKZ block size for the low-guess lattice (dimension up to ~60: a fraction of a second, once)
_BKZ_BLOCK = 20
#: pruning of the box enumeration: after ``m`` levels the partial squared distance may exceed its
#: mean ``m * var`` by ``_PRUNE_SIGMAS`` standard deviations (``sqrt(2 m) var``) plus
#: ``_PRUNE_SLACK * var``; measured with nextInt(3), n = 40: (3, 3) found 10 of 10 states at 720
#: nodes a guess, (2, 1) 18 of 20 at 130, (3, 6) 10 of 10 at 1430
_PRUNE_SIGMAS = 3.0
_PRUNE_SLACK = 3.0


@lru_cache(maxsize=32)
def _reduced_power_lattice(multipliers: tuple[int, ...], width: int
                           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The lattice ``{(A_i g mod 2**width) + 2**width k}`` (``A_0 = 1``), BKZ-reduced: its basis
    (rows, ``int64``), and ``Q``, ``R`` with ``basis.T = Q R`` (``R.T`` lower triangular: row
    ``j`` is basis vector ``j`` in the orthonormal coordinates ``Q``)."""
    n = len(multipliers)
    modulus = 1 << width
    rows = [[a % modulus for a in multipliers]]
    rows += [[modulus if j == i else 0 for j in range(n)] for i in range(1, n)]
    matrix = IntegerMatrix.from_matrix(rows)
    LLL.reduction(matrix)
    if n > 2:
        BKZ.reduction(matrix, BKZ.Param(block_size=min(_BKZ_BLOCK, n), max_loops=8,
                                        flags=BKZ.AUTO_ABORT | BKZ.MAX_LOOPS))
    basis = np.array([[matrix[i, j] for j in range(n)] for i in range(n)], dtype=np.int64)
    q, r = np.linalg.qr(basis.T.astype(np.float64))
    return basis, np.ascontiguousarray(q), np.ascontiguousarray(r.T)


def low_guess_lcg_states(draws: list[int], steps: list[tuple[int, int]], bound: int, shift: int,
                         modulus_bits: int, lows: np.ndarray, low_bits: int,
                         limit: int = 4096) -> list[int]:
    """First states ``s_0`` whose draws ``(s_i >> shift) mod bound`` read ``draws`` (``s_i =
    A_i s_0 + C_i mod 2**modulus_bits``, ``steps[0] = (1, 0)``), among those whose low
    ``low_bits`` bits are one of ``lows``: every ``2**shift`` value for an odd bound, the few the
    draws' low bits allow when ``2**(low_bits - shift)`` divides the bound (its odd part ``M``).

    With the low bits ``L`` guessed, ``z_i = s_i >> low_bits`` is exactly ``A_i h + t_i mod
    2**w`` (``h = s_0 >> low_bits``, ``w = modulus_bits - low_bits``, ``t_i`` from ``L``), and a
    draw says ``M q_i = z_i + d_i`` with a known ``d_i`` and ``0 <= q_i < 2**(modulus_bits -
    shift) / bound``. So ``q_i = M^-1 (A_i h + t_i + d_i) mod 2**w``: the quotients are a point
    of a fixed lattice shifted by the guess, inside a box, which a pruned enumeration finds
    (the search misses a true state about once in fifty: the pruning's price). A wrong guess's
    box is nearly always empty, and every state returned is rechecked by the caller."""
    n = len(draws)
    odd_part_shift = low_bits - shift
    odd_part = bound >> odd_part_shift
    if odd_part << odd_part_shift != bound or odd_part % 2 == 0:
        raise ValueError(f"2**{odd_part_shift} is not the even part of {bound}")
    width = modulus_bits - low_bits
    multipliers = tuple(a % (1 << width) for a, _ in steps)
    basis, gs_q, gs_r = _reduced_power_lattice(multipliers, width)
    box = (1 << (modulus_bits - shift)) / bound
    mask = (1 << modulus_bits) - 1
    found = _search_boxes(np.asarray(lows, dtype=np.uint64),
                          np.array([a & mask for a, _ in steps], dtype=np.uint64),
                          np.array([c & mask for _, c in steps], dtype=np.uint64),
                          np.array(draws, dtype=np.int64), bound, shift, low_bits, modulus_bits,
                          pow(odd_part, -1, 1 << width), 0, basis, gs_q, gs_r,
                          _pruning_bounds(n, box), box / 2.0, limit)
    states = []
    for low, first_quotient in found:
        state0 = (int(low) * steps[0][0] + steps[0][1]) & mask
        t0 = state0 >> low_bits
        d0 = (((state0 >> shift) & ((1 << odd_part_shift) - 1)) - draws[0]) >> odd_part_shift
        high = (odd_part * int(first_quotient) - t0 - d0) % (1 << width)
        states.append((high << low_bits) | int(low))
    return states


def low_guess_top_states(tops: list[int], steps: list[tuple[int, int]], shown_bits: int,
                         modulus_bits: int, low_bits: int, limit: int = 4096) -> list[int]:
    """First states ``s_0`` whose top ``shown_bits`` bits, stepped by ``steps``, read ``tops``
    (Java's ``nextInt(2)`` and ``nextInt(4)``: too few bits a draw for
    :func:`truncated_lcg_states`), by the search of :func:`low_guess_lcg_states`: with the low
    ``low_bits`` guessed, ``z_i = s_i >> low_bits`` is ``A_i h + t_i mod 2**w`` exactly, and
    ``z_i - top_i 2**(w - shown_bits)`` lies in ``[0, 2**(w - shown_bits))``."""
    n = len(tops)
    width = modulus_bits - low_bits
    multipliers = tuple(a % (1 << width) for a, _ in steps)
    basis, gs_q, gs_r = _reduced_power_lattice(multipliers, width)
    box = float(1 << (width - shown_bits))
    mask = (1 << modulus_bits) - 1
    found = _search_boxes(np.arange(1 << low_bits, dtype=np.uint64),
                          np.array([a & mask for a, _ in steps], dtype=np.uint64),
                          np.array([c & mask for _, c in steps], dtype=np.uint64),
                          np.array(tops, dtype=np.int64), 1, low_bits, low_bits, modulus_bits,
                          1, shown_bits, basis, gs_q, gs_r, _pruning_bounds(n, box), box / 2.0,
                          limit)
    states = []
    for low, first_offset in found:
        t0 = ((int(low) * steps[0][0] + steps[0][1]) & mask) >> low_bits
        high = (int(first_offset) + (tops[0] << (width - shown_bits)) - t0) % (1 << width)
        states.append((high << low_bits) | int(low))
    return states


def _pruning_bounds(n: int, box: float) -> np.ndarray:
    """The squared distance each level of the enumeration may reach (level ``k`` has ``n - k``
    levels above it and itself searched) for a true point uniform in a box of side ``box``."""
    variance = box * box / 12.0
    levels = np.arange(n, 0, -1, dtype=np.float64)
    bounds: np.ndarray = variance * (levels + _PRUNE_SIGMAS * np.sqrt(2.0 * levels)
                                     + _PRUNE_SLACK)
    return bounds


@numba.njit(cache=True)
def _search_boxes(lows: np.ndarray, multipliers: np.ndarray, increments: np.ndarray,
                  draws: np.ndarray, bound: int, shift: int, low_bits: int, modulus_bits: int,
                  odd_inverse: int, top_bits: int, basis: np.ndarray, gs_q: np.ndarray,
                  gs_r: np.ndarray, bounds: np.ndarray, centre: float, limit: int) -> np.ndarray:
    """``(low, q_0)`` of every guess whose quotient box holds a lattice point the pruned
    Schnorr-Euchner enumeration reaches (see :func:`low_guess_lcg_states`); with ``top_bits``,
    draws are the top bits of ``s >> low_bits`` and the box holds ``z_i`` less the draw's
    part (:func:`low_guess_top_states`)."""
    n = draws.shape[0]
    width = modulus_bits - low_bits
    even_bits = low_bits - shift
    mask = np.uint64((1 << modulus_bits) - 1)
    width_mask = np.uint64((1 << width) - 1)
    lift = np.uint64(1 << width)
    top = 1 << (modulus_bits - shift)  # draws read s >> shift below this
    below_top = 1 << (width - top_bits)  # top_bits: the box's side
    inverse = np.uint64(odd_inverse)
    out = np.empty((limit, 2), dtype=np.int64)
    found = 0
    shifted = np.empty(n, dtype=np.int64)
    target = np.empty(n, dtype=np.float64)
    # the Gram-Schmidt coefficients by level: row k holds what level k's centre needs
    columns_q = np.ascontiguousarray(gs_q.T)
    columns_r = np.ascontiguousarray(gs_r.T)
    # partial sums of each level's centre (Schnorr-Euchner as in fplll): sums[k, j] = the target's
    # projection on level k less x_l times b_l's for l >= j; stale[k] = the highest x changed
    # since level k - 1's sums were brought up to date
    sums = np.empty((n, n + 1), dtype=np.float64)
    stale = np.empty(n, dtype=np.int64)
    known = np.zeros(n, dtype=np.bool_)
    centres = np.empty(n, dtype=np.float64)
    x = np.zeros(n, dtype=np.int64)
    dx = np.zeros(n, dtype=np.int64)
    ddx = np.zeros(n, dtype=np.int64)
    distance = np.zeros(n + 1, dtype=np.float64)
    for low in lows:
        fits = True
        for i in range(n):
            state = (low * multipliers[i] + increments[i]) & mask
            if top_bits:
                part = draws[i] << (width - top_bits)
                summed = np.uint64(np.int64(state >> np.uint64(low_bits)) - part) + lift
                shifted[i] = np.int64(summed & width_mask)
                target[i] = centre - shifted[i]
                known[i] = False
                continue
            below = np.int64((state >> np.uint64(shift)) & np.uint64((1 << even_bits) - 1))
            gap = below - draws[i]
            if gap % (1 << even_bits) != 0:
                fits = False
                break
            summed = np.uint64(np.int64(state >> np.uint64(low_bits)) + (gap >> even_bits)) + lift
            shifted[i] = np.int64((summed * inverse) & width_mask)
            target[i] = centre - shifted[i]
            known[i] = False
        if not fits:
            continue
        k = n - 1
        total = 0.0
        for i in range(n):
            total += target[i] * columns_q[k, i]
        known[k] = True
        stale[:] = n - 1
        centres[k] = total / gs_r[k, k]
        x[k] = np.int64(np.rint(centres[k]))
        dx[k] = 1 if centres[k] >= x[k] else -1
        ddx[k] = dx[k]
        distance[n] = 0.0
        while True:
            off = centres[k] - x[k]
            reached = distance[k + 1] + off * off * gs_r[k, k] * gs_r[k, k]
            if reached <= bounds[k]:
                distance[k] = reached
                if k > 0:
                    k -= 1
                    if not known[k]:
                        total = 0.0
                        for i in range(n):
                            total += target[i] * columns_q[k, i]
                        sums[k, n] = total
                        known[k] = True
                    for j in range(stale[k + 1], k, -1):
                        sums[k, j] = sums[k, j + 1] - x[j] * columns_r[k, j]
                    if stale[k + 1] > stale[k]:
                        stale[k] = stale[k + 1]
                    stale[k + 1] = k + 1
                    centres[k] = sums[k, k + 1] / gs_r[k, k]
                    x[k] = np.int64(np.rint(centres[k]))
                    dx[k] = 1 if centres[k] >= x[k] else -1
                    ddx[k] = dx[k]
                    continue
                # a lattice point: the quotients q = shifted + sum x_j b_j must lie in the box
                inside = True
                first = 0
                for i in range(n):
                    quotient = shifted[i]
                    for j in range(n):
                        quotient += x[j] * basis[j, i]
                    if quotient < 0 or (quotient >= below_top if top_bits
                                        else quotient * bound + draws[i] >= top):
                        inside = False
                        break
                    if i == 0:
                        first = quotient
                if inside and found < limit:
                    out[found, 0] = np.int64(low)
                    out[found, 1] = first
                    found += 1
            else:
                k += 1
                if k == n:
                    break
            x[k] += dx[k]
            ddx[k] = -ddx[k]
            dx[k] = ddx[k] - dx[k]
    return out[:found]
