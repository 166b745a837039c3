"""Wrong on purpose: keeps the eigenpairs in whatever order the Jacobi sweeps leave them, so s is
not sorted.
"""

import numpy as np


def power_iteration(A, iters=100, seed=0):
    """Dominant eigenpair (lam, v) of a square matrix A: repeat v <- A v / |A v|."""
    rng = np.random.default_rng(seed)
    v = rng.standard_normal(A.shape[0])
    v /= np.linalg.norm(v)
    for _ in range(iters):
        w = A @ v
        v = w / np.linalg.norm(w)
    return float(v @ A @ v), v


def svd_2x2(A):
    """SVD of a 2x2 matrix from the eigenpairs of A^T A: returns (U, s, Vt)."""
    A = np.asarray(A, dtype=float)
    (a, b), (_, c) = A.T @ A                        # A^T A = [[a, b], [b, c]]
    half_trace = (a + c) / 2
    gap = np.sqrt(max(half_trace**2 - (a * c - b * b), 0.0))
    lam1, lam2 = half_trace + gap, half_trace - gap  # roots of t^2 - trace t + det
    if b != 0:
        v1 = np.array([b, lam1 - a])                 # solves (A^T A - lam1 I) v = 0
    else:
        v1 = np.array([1.0, 0.0]) if a >= c else np.array([0.0, 1.0])
    v1 /= np.linalg.norm(v1)
    v2 = np.array([-v1[1], v1[0]])                   # the other eigenvector is perpendicular
    s = np.sqrt([max(lam1, 0.0), max(lam2, 0.0)])
    u1 = A @ v1 / s[0] if s[0] > 0 else np.array([1.0, 0.0])
    u2 = A @ v2 / s[1] if s[1] > 1e-12 * max(s[0], 1.0) else np.array([-u1[1], u1[0]])
    return np.column_stack([u1, u2]), s, np.vstack([v1, v2])


def jacobi_eigen(S, sweeps=50):
    """Eigenvalues and eigenvectors (columns) of a symmetric S, by Jacobi rotations.

    Each rotation zeroes one off-diagonal pair S[p, q] = S[q, p]; sweeping over all
    pairs again and again drives the whole off-diagonal part to zero.
    """
    S = np.array(S, dtype=float)
    n = S.shape[0]
    V = np.eye(n)
    for _ in range(sweeps):
        off_diagonal = np.sum((S - np.diag(np.diag(S))) ** 2)   # summed directly: a difference
        if off_diagonal <= 1e-30 * max(np.sum(S**2), 1e-300):   # of two big sums would lose it
            break
        for p in range(n - 1):
            for q in range(p + 1, n):
                if abs(S[p, q]) <= 1e-20 * (abs(S[p, p]) + abs(S[q, q])):
                    continue                         # already zero, as far as floats can tell
                theta = (S[q, q] - S[p, p]) / (2 * S[p, q])
                t = (1.0 if theta >= 0 else -1.0) / (abs(theta) + np.hypot(theta, 1.0))
                c = 1 / np.sqrt(t**2 + 1)
                J = np.eye(n)
                J[p, p], J[q, q], J[p, q], J[q, p] = c, c, t * c, -t * c
                S = J.T @ S @ J
                V = V @ J
    return np.diag(S).copy(), V


def complete_orthonormal(columns, n):
    """Gram-Schmidt: extend a list of orthonormal n-vectors by the direction most outside their span."""
    Q = np.column_stack(columns) if columns else np.zeros((n, 0))
    leftover = np.eye(n) - Q @ Q.T                   # projects onto what Q does not span
    best = np.argmax(np.linalg.norm(leftover, axis=0))
    return leftover[:, best] / np.linalg.norm(leftover[:, best])


def svd(A):
    """SVD of a square matrix: returns (U, s, Vt) with A = U @ diag(s) @ Vt, s largest first.

    V and s come from the eigenpairs of A^T A; each u_i = A v_i / s_i, cleaned by Gram-Schmidt.
    Where s_i is (numerically) zero, u_i is any unit vector orthogonal to the others.
    """
    A = np.asarray(A, dtype=float)
    n = A.shape[1]
    lam, V = jacobi_eigen(A.T @ A)
    s = np.sqrt(np.clip(lam, 0.0, None))
    U = []
    for i in range(n):
        u = A @ V[:, i]
        for earlier in U:
            u = u - (earlier @ u) * earlier
        if s[i] > 1e-7 * max(s[0], 1.0) and np.linalg.norm(u) > 1e-7 * max(s[0], 1.0):
            U.append(u / np.linalg.norm(u))
        else:
            U.append(complete_orthonormal(U, n))
    return np.column_stack(U), s, V.T

