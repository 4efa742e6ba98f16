//! A drop-in for Python's removed `telnetlib`.
