"""Which kernel layout should a channels-last Conv2D hand oneDNN / cuDNN? Interleaved in one
process: forward+backward with the Keras-layout kernel view keraslite passes today
(`kernel.permute(3, 2, 0, 1)`, neither contiguous nor channels_last, so the library copies it
and may reorder the activations too) against the kernel copied to channels_last memory.
Prints ms per call, the ratio, the self time of `aten::copy_`, and the load average.

    python tools/conv_layout_benchmark.py           # CPU, 1 thread
    python tools/conv_layout_benchmark.py cuda      # on a GPU
"""

import sys
import time

import torch
import torch.nn.functional as F
from torch.profiler import ProfilerActivity, profile

DEVICE = sys.argv[1] if len(sys.argv) > 1 else "cpu"
torch.set_num_threads(1)


def med(values):
    return sorted(values)[len(values) // 2]


def sync():
    if DEVICE.startswith("cuda"):
        torch.cuda.synchronize()


def case(b, hw, cin, cout, k):
    kernel = torch.randn(k, k, cin, cout, device=DEVICE, requires_grad=True)
    x = torch.randn(b, hw, hw, cin, device=DEVICE, requires_grad=True)

    def today():
        y = F.conv2d(x.movedim(-1, 1), kernel.permute(3, 2, 0, 1), padding=k // 2).movedim(1, -1)
        y.sum().backward()

    def cl():
        w = kernel.permute(3, 2, 0, 1).contiguous(memory_format=torch.channels_last)
        y = F.conv2d(x.movedim(-1, 1), w, padding=k // 2).movedim(1, -1)
        y.sum().backward()

    y1 = F.conv2d(x.movedim(-1, 1), kernel.permute(3, 2, 0, 1), padding=k // 2)
    y2 = F.conv2d(
        x.movedim(-1, 1), kernel.permute(3, 2, 0, 1).contiguous(memory_format=torch.channels_last), padding=k // 2
    )
    err = (y1 - y2).abs().max().item()
    for f in (today, cl):
        f()
    res = {"today": [], "cl": []}
    for _ in range(5):
        for name, f in (("today", today), ("cl", cl)):
            sync()
            t = time.perf_counter()
            f()
            sync()
            res[name].append(time.perf_counter() - t)
    copies = {}
    for name, f in (("today", today), ("cl", cl)):
        with profile(activities=[ProfilerActivity.CPU]) as p:
            f()
        copies[name] = sum(e.self_cpu_time_total for e in p.events() if e.name == "aten::copy_") / 1e3
    today_ms, channels_last_ms = med(res["today"]) * 1e3, med(res["cl"]) * 1e3
    print(
        f"b{b} {hw}x{hw} {cin}->{cout} k{k}: today {today_ms:.1f} ms, channels_last kernel "
        f"{channels_last_ms:.1f} ms ({channels_last_ms / today_ms:.2f}x); copy_ ms {copies}; max diff {err:.1e}"
    )


def load():
    with open("/proc/loadavg") as f:
        return f.read().split()[:3]


if __name__ == "__main__":
    print("load average (start)", load(), "device", DEVICE)
    # ResNet50-at-96x96 shapes (batch 16) and the toy ResNet's first block (batch 64)
    for shape in ((16, 24, 64, 64, 3), (16, 24, 256, 64, 1), (16, 6, 512, 512, 3), (64, 30, 32, 64, 3)):
        case(*shape)
    print("load average (end)", load())
