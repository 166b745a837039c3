"""Module 2 reference lab: central differences, then a tiny reverse-mode autograd.

Value is a scalar that remembers the operation that made it. backward() visits the
graph from the output back to the inputs, each node pushing its gradient into its
parents with the chain rule, accumulating with +=.
"""

import math


def numerical_grad(f, x, h=1e-5):
    """Gradient of scalar f at point x by central differences, one coordinate at a time."""
    grad = []
    for i in range(len(x)):
        up = list(x)
        up[i] += h
        down = list(x)
        down[i] -= h
        grad.append((f(up) - f(down)) / (2 * h))
    return grad


class Value:
    def __init__(self, data, _parents=(), _op=""):
        self.data = float(data)
        self.grad = 0.0
        self._parents = _parents
        self._op = _op
        self._backward = lambda: None   # pushes self.grad into the parents

    def __add__(self, other):
        """self + other; local slopes are 1 and 1."""
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad += out.grad
            other.grad += out.grad
        out._backward = _backward
        return out

    def __mul__(self, other):
        """self * other; local slopes are other.data and self.data."""
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
        out._backward = _backward
        return out

    def exp(self):
        """e^self; its slope is the output itself."""
        out = Value(math.exp(self.data), (self,), "exp")

        def _backward():
            self.grad += out.data * out.grad
        out._backward = _backward
        return out

    def log(self):
        """natural log of self (self.data > 0); slope 1/self.data."""
        out = Value(math.log(self.data), (self,), "log")

        def _backward():
            self.grad += out.grad / self.data
        out._backward = _backward
        return out

    def sin(self):
        """sin(self); slope cos(self.data)."""
        out = Value(math.sin(self.data), (self,), "sin")

        def _backward():
            self.grad += math.cos(self.data) * out.grad
        out._backward = _backward
        return out

    def backward(self):
        """Set self.grad = 1, then call every node's _backward in reverse topological order."""
        order, seen = [], set()
        stack = [(self, False)]
        while stack:                       # depth-first, with an explicit stack
            node, parents_done = stack.pop()
            if parents_done:
                order.append(node)         # every parent is already in order
                continue
            if node in seen:
                continue
            seen.add(node)
            stack.append((node, True))
            for parent in node._parents:
                if parent not in seen:
                    stack.append((parent, False))
        self.grad = 1.0
        for node in reversed(order):
            node._backward()

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
