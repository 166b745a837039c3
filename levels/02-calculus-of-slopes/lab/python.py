"""Module 2 lab: numerical gradients, then a tiny reverse-mode autograd.

Value is a scalar that remembers the operation that made it, in the style of
micrograd. backward() walks the graph from the output to the leaves.
"""

import math


def numerical_grad(f, x, h=1e-5):
    """Gradient of scalar f at point x (list of n floats) by central differences.

    Returns a list of n floats: (f(x + h e_i) - f(x - h e_i)) / (2h) for each i.
    """
    raise NotImplementedError("perturb one coordinate at a time, up and down by h")


class Value:
    def __init__(self, data, _parents=(), _op=""):
        self.data = float(data)
        self.grad = 0.0
        self._parents = _parents
        self._op = _op
        self._backward = lambda: None   # pushes self.grad into the parents

    def __add__(self, other):
        """self + other, where other is a Value or a plain number (wrap it); slopes 1 and 1."""
        raise NotImplementedError("make the output Value, then a _backward that adds out.grad to both")

    def __mul__(self, other):
        """self * other (a plain number is wrapped too); slopes other.data and self.data."""
        raise NotImplementedError("each factor's slope is the other factor; accumulate, never assign")

    def exp(self):
        """e^self; its slope is the output itself."""
        raise NotImplementedError

    def log(self):
        """natural log of self (self.data > 0); slope 1/self.data."""
        raise NotImplementedError

    def sin(self):
        """sin(self); slope cos(self.data)."""
        raise NotImplementedError

    def backward(self):
        """Set self.grad = 1, then call every node's _backward in reverse topological order."""
        raise NotImplementedError("build the order with an explicit stack, not recursion")

    def __radd__(self, other):  # 2 + x
        return self + other

    def __rmul__(self, other):  # 2 * x
        return self * other

    def __repr__(self):
        return f"Value(data={self.data:.6g}, grad={self.grad:.6g})"


if __name__ == "__main__":
    f = lambda p: p[0] * p[1] + math.exp(p[0])
    print("numerical", numerical_grad(f, [1.0, 2.0]))
    x, y = Value(1.0), Value(2.0)
    out = x * y + x.exp()
    out.backward()
    print("autograd ", [x.grad, y.grad])
    print("symbolic ", [2 + math.e, 1.0])
