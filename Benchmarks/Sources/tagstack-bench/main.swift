print("tagstack-bench: no benchmarks yet")
