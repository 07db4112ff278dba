"""Shared timing helper for the benchmarks."""
import time


def best_of(f, reps=3):
    "Best wall-clock time of `reps` calls of `f()`, in seconds."
    best = float("inf")
    for _ in range(reps):
        t = time.perf_counter(); f(); best = min(best, time.perf_counter() - t)
    return best
