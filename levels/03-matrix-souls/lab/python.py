"""Module 3 lab: power iteration and a hand-made 2x2 SVD.

NumPy arrays throughout. np.linalg.svd is only used at the bottom, to check you.
"""

import numpy as np


def power_iteration(A, iters=100, seed=0):
    """Dominant eigenpair of a square matrix A, shape (n, n).

    Start from a random unit vector v, repeat v <- A v / |A v|, and return
    (lam, v) where lam = v^T A v (the Rayleigh quotient) and v has shape (n,),
    unit length.
    """
    rng = np.random.default_rng(seed)
    v = rng.standard_normal(A.shape[0])
    raise NotImplementedError("start v at length 1; then, iters times, multiply by A and rescale to length 1")


def svd_2x2(A):
    """SVD of a 2x2 matrix by hand: returns (U, s, Vt) with A = U @ diag(s) @ Vt.

    U, Vt: (2, 2) orthogonal. s: (2,) singular values, largest first.
    Recipe: eigen-decompose the symmetric matrix A^T A with the characteristic
    polynomial t^2 - trace*t + det; its eigenvectors are the columns of V,
    s_i = sqrt(lam_i), and u_i = A v_i / s_i (if s_i is 0, pick u_i orthogonal to u_1).
    """
    ata = A.T @ A
    raise NotImplementedError("roots of t^2 - tr*t + det, then an eigenvector for each root")


def svd(A):
    """The boss fight: SVD of a 4x4 matrix, without np.linalg.svd, eig or eigh.

    Returns (U, s, Vt) with A = U @ diag(s) @ Vt: U and Vt (4, 4) orthogonal,
    s (4,) sorted from largest to smallest. Where some s_i is 0, u_i = A v_i / s_i
    is undefined: complete U with unit vectors orthogonal to the others.
    Power iteration with deflation on A^T A, or Jacobi rotations, both work.
    """
    raise NotImplementedError("the symmetric matrix A.T @ A holds s and V; U follows from A, V and s")


if __name__ == "__main__":
    A = np.array([[2.0, 1.0], [1.0, 2.0]])
    lam, v = power_iteration(A)
    print("power iteration:", lam, v)            # about 3, +-[0.7071, 0.7071]

    B = np.array([[3.0, 0.0], [4.0, 5.0]])
    U, s, Vt = svd_2x2(B)
    print("mine  s:", s)                          # [6.7082, 2.2361]
    print("numpy s:", np.linalg.svd(B)[1])
    print("rebuild error:", np.abs(U @ np.diag(s) @ Vt - B).max())
    print("condition number:", s[0] / s[1])       # 3.0

    C = np.random.default_rng(1).standard_normal((4, 4))
    U, s, Vt = svd(C)
    print("4x4 s:", s, "numpy:", np.linalg.svd(C)[1])
    print("rebuild error:", np.abs(U @ np.diag(s) @ Vt - C).max())
