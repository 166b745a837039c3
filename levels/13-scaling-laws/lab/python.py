"""Module 13 lab: fit a scaling law and spend a compute budget."""
import numpy as np


def train_flops(n_params, n_tokens):
    """Approximate training FLOPs of a dense transformer: 2N forward + 4N backward per token."""
    raise NotImplementedError("C = 6 N D")


def fit_power_law(C, L):
    """Fit L = a * C**(-b) by least squares on (log C, log L). C, L: 1-D arrays. Returns (a, b)."""
    raise NotImplementedError("np.polyfit(np.log(C), np.log(L), 1) gives slope -b and intercept log a")


def predict_loss(a, b, C):
    """Loss predicted by the power law at compute C."""
    raise NotImplementedError("a * C**(-b)")


def chinchilla_optimal(C, tokens_per_param=20):
    """Compute-optimal (n_params, n_tokens) for budget C when n_tokens = tokens_per_param * n_params."""
    raise NotImplementedError("6 * N * (r * N) = C, so N = sqrt(C / (6 r))")


def law_optimal(C, A, B, alpha, beta):
    """(n_params, n_tokens) minimising A/N**alpha + B/D**beta subject to 6 N D = C."""
    raise NotImplementedError("N = G * (C/6)**(beta/(alpha+beta)), G = (alpha*A/(beta*B))**(1/(alpha+beta))")


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    C = np.append(np.logspace(15, 17, 7), 1e18)  # the last run is held out: 10x the largest fitted
    L = 40.0 * C ** -0.05 * np.exp(rng.normal(0, 0.005, C.size))  # a synthetic sweep
    a, b = fit_power_law(C[:-1], L[:-1])
    print(f"fit: L = {a:.3f} * C^(-{b:.4f})")
    guess = predict_loss(a, b, C[-1])
    print(f"predicted {guess:.4f} vs measured {L[-1]:.4f}: error {abs(guess / L[-1] - 1):.2%}")
    n, d = chinchilla_optimal(train_flops(70e9, 1.4e12))
    print(f"Chinchilla budget -> N = {n:.3g} params, D = {d:.3g} tokens")
    n, d = law_optimal(5.88e23, A=406.4, B=410.7, alpha=0.34, beta=0.28)
    print(f"printed constants -> {d / n:.1f} tokens per parameter")
