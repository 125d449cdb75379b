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
dimensions here stay below 50); fpylll would be faster but does not install cleanly (it needs
``cysignals``, which it does not declare).
"""

from __future__ import annotations

__all__ = ["lll", "truncated_lcg_states", "bounded_lcg_states"]


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
