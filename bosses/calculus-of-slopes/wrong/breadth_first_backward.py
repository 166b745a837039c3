"""Wrong on purpose: backward() visits the graph breadth-first from the output, so a node reached
along paths of different lengths passes its grad on before the longer path has added into it.
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
        """Set self.grad = 1, then visit the graph breadth-first from the output, level by level."""
        self.grad = 1.0
        queue, seen = [self], {self}
        while queue:
            node = queue.pop(0)            # the oldest node first: nearest the output
            node._backward()
            for parent in node._parents:
                if parent not in seen:
                    seen.add(parent)
                    queue.append(parent)

    def __radd__(self, other):  # 2 + x
        return self + other

    def __rmul__(self, other):  # 2 * x
        return self * other

    def __repr__(self):
        return f"Value(data={self.data:.6g}, grad={self.grad:.6g})"
