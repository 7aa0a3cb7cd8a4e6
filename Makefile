.PHONY: build test test-browser bench lint

build:
	funnelgen build site_src

test:
	python3 -m pytest

test-browser:
	python3 -m pytest -m browser

lint:
	ruff check funnelgen tests benchmarks

# Speed and memory goals live here, not in timed tests.
bench:
	python3 benchmarks/bench_build.py
	python3 benchmarks/bench_serve.py
