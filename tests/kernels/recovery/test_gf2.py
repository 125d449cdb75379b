"""The bit-packed GF(2) solver against dense integer arithmetic."""

from __future__ import annotations

import numpy as np
import pytest

from kernels.recovery.gf2 import pack_bits, rank, solve


def _system(rng: np.random.Generator, rows: int, columns: int, consistent: bool = True):
    matrix = rng.integers(0, 2, (rows, columns), dtype=np.uint8)
    truth = rng.integers(0, 2, columns, dtype=np.uint8)
    rhs = (matrix.astype(np.int64) @ truth) % 2
    if not consistent:
        rhs = rhs.copy()
        rhs[rng.integers(rows)] ^= 1
    return matrix, rhs.astype(np.uint8), truth


@pytest.mark.parametrize("rows, columns", [(12, 10), (130, 100), (300, 300), (150, 200), (700, 640)])
def test_solutions_satisfy_the_system_and_span_it(rows, columns):
    rng = np.random.default_rng(rows * 1000 + columns)
    matrix, rhs, _ = _system(rng, rows, columns)
    solution = solve(pack_bits(np.column_stack([matrix, rhs])), columns)
    assert solution is not None
    as_int = matrix.astype(np.int64)
    assert np.array_equal((as_int @ solution.particular) % 2, rhs)
    for vector in solution.null_basis:
        assert vector.any() and not ((as_int @ vector) % 2).any()
    assert solution.rank + solution.nullity == columns


def test_unique_solution_is_the_truth():
    rng = np.random.default_rng(7)
    matrix, rhs, truth = _system(rng, 900, 800)
    solution = solve(pack_bits(np.column_stack([matrix, rhs])), 800)
    assert solution is not None and solution.nullity == 0
    assert np.array_equal(solution.particular, truth)


def test_contradiction_is_reported():
    rng = np.random.default_rng(3)
    matrix, rhs, _ = _system(rng, 400, 300, consistent=False)
    assert solve(pack_bits(np.column_stack([matrix, rhs])), 300) is None


def test_rank_of_a_product_of_thin_factors():
    rng = np.random.default_rng(11)
    left = rng.integers(0, 2, (200, 37))
    right = rng.integers(0, 2, (37, 150))
    product = ((left @ right) % 2).astype(np.uint8)
    expected = solve(pack_bits(np.column_stack([product, np.zeros(200, np.uint8)])), 150)
    assert expected is not None
    assert rank(pack_bits(product), 150) == expected.rank <= 37


def test_large_null_space_is_counted_without_a_basis():
    matrix = np.zeros((3, 200), dtype=np.uint8)
    matrix[0, 0] = matrix[1, 1] = matrix[2, 2] = 1
    solution = solve(pack_bits(np.column_stack([matrix, np.ones(3, np.uint8)])), 200, max_null=64)
    assert solution is not None
    assert solution.nullity == 197 and solution.null_basis == ()
    assert solution.particular[:3].tolist() == [1, 1, 1]
