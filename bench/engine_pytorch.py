# The PyTorch side of bench/engine.ts: same cases, same threads, prints JSON {case: fastest seconds}.
import json
import sys
import time

import torch
import torch.nn.functional as F

threads, reps = int(sys.argv[1]), int(sys.argv[2])
torch.set_num_threads(threads)
g = torch.Generator().manual_seed(0)
x = torch.randn(8, 64, 64, 64, generator=g)
w = torch.randn(64, 64, 3, 3, generator=g) * 0.05
b = torch.zeros(64)
a = torch.randn(1024, 1024, generator=g)
m = torch.randn(1024, 1024, generator=g)
gw, gb = torch.ones(64), torch.zeros(64)


def conv_fwd():
    with torch.no_grad():
        F.conv2d(x, w, b, padding=1)


def conv_fwd_bwd():
    xr = x.detach().requires_grad_(True)
    wr = w.detach().requires_grad_(True)
    F.conv2d(xr, wr, b, padding=1).sum().backward()


def matmul():
    with torch.no_grad():
        a @ m


def block():
    with torch.no_grad():
        F.conv2d(F.silu(F.group_norm(x, 32, gw, gb)), w, b, padding=1)


def best_time(fn):
    for _ in range(5):
        fn()
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return min(ts)


cases = {"conv2d_fwd": conv_fwd, "conv2d_fwd_bwd": conv_fwd_bwd, "matmul_1024": matmul, "gn_silu_conv": block}
print(json.dumps({k: best_time(f) for k, f in cases.items()}))
