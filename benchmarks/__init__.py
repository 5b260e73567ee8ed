"""Speed and memory benchmarks: `make bench` prints one table of every module's rows."""
