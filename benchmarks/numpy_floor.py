"""Hand-written NumPy forward/backward passes: the floor any NumPy library can reach (no graph, no objects).

Each function is the notes' algorithm written out with arrays (seed 000 section 4.2's two-layer network,
extended to the benchmark's sizes), so a framework's overhead is its time minus this one.
"""

from __future__ import annotations

import numpy as np


class MLPFloor:
    """784-256-256-10 style ReLU MLP with softmax cross-entropy and Adam, written by hand."""

    def __init__(self, sizes, rng, dtype=np.float32):
        self.W = [(rng.standard_normal((m, n)) * np.sqrt(2 / m)).astype(dtype) for m, n in zip(sizes, sizes[1:])]
        self.b = [np.zeros(n, dtype) for n in sizes[1:]]
        self.params = self.W + self.b
        self.m = [np.zeros_like(p) for p in self.params]
        self.v = [np.zeros_like(p) for p in self.params]
        self.scratch = [np.empty_like(p) for p in self.params]
        self.t = 0

    def forward_backward(self, x, t):
        """Loss and gradients (dW, db) for a batch; the cross-entropy gradient is (Y - T)/N."""
        activations, h = [x], x
        for i, (W, b) in enumerate(zip(self.W, self.b)):
            h = h @ W
            h += b
            if i < len(self.W) - 1:
                np.maximum(h, 0, out=h)
            activations.append(h)
        z = activations[-1]
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        y = e / e.sum(axis=1, keepdims=True)
        n = len(x)
        loss = -np.log(y[np.arange(n), t]).mean()
        g = y
        g[np.arange(n), t] -= 1
        g /= n
        dW, db = [None] * len(self.W), [None] * len(self.b)
        for i in reversed(range(len(self.W))):
            dW[i] = activations[i].T @ g
            db[i] = g.sum(axis=0)
            if i:
                g = g @ self.W[i].T
                g *= activations[i] > 0
        return loss, dW + db

    def adam_step(self, grads, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        """Bias-corrected Adam, every operation in place on preallocated buffers (no temporaries):
        m = b1 m + (1 - b1) g,  v = b2 v + (1 - b2) g^2,  p -= lr/c1 m / (sqrt(v / c2) + eps)."""
        self.t += 1
        c1, c2 = 1 - beta1**self.t, 1 - beta2**self.t
        for p, g, m, v, s in zip(self.params, grads, self.m, self.v, self.scratch):
            m *= beta1
            np.multiply(g, 1 - beta1, out=s)
            m += s
            v *= beta2
            np.multiply(g, g, out=s)
            s *= 1 - beta2
            v += s
            np.multiply(v, 1 / c2, out=s)
            np.sqrt(s, out=s)
            s += eps
            np.divide(m, s, out=s)
            s *= lr / c1
            p -= s


class TanhMLPFloor:
    """The notes' tiny regression net (2-16-16-1, tanh, squared error) with Adam, written by hand."""

    def __init__(self, sizes, rng, dtype=np.float32):
        self.floor = MLPFloor(sizes, rng, dtype)

    def step(self, x, t, lr=1e-3):
        f = self.floor
        activations, h = [x], x
        for i, (W, b) in enumerate(zip(f.W, f.b)):
            h = h @ W + b
            if i < len(f.W) - 1:
                h = np.tanh(h)
            activations.append(h)
        n = len(x)
        g = 2 * (activations[-1] - t) / (n * t.shape[1])
        loss = ((activations[-1] - t) ** 2).mean()
        dW, db = [None] * len(f.W), [None] * len(f.b)
        for i in reversed(range(len(f.W))):
            dW[i] = activations[i].T @ g
            db[i] = g.sum(axis=0)
            if i:
                g = (g @ f.W[i].T) * (1 - activations[i] ** 2)
        f.adam_step(dW + db, lr)
        return loss
