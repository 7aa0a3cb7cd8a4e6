.PHONY: build test test-browser bench lint update-golden screenshots example-images

build:
	funnelgen build site_src

test:
	python3 -m pytest

test-browser:
	python3 -m pytest -m browser

# The golden copy of the example's output (tests/test_golden.py); run after an intended output change.
update-golden:
	python3 tests/golden.py

# docs/img/: the example's pages at 390x844 and 1366x900 for the README and docs (Chromium, no network).
screenshots:
	python3 scripts/screenshots.py

lint:
	ruff check funnelgen tests benchmarks scripts

# The example's pictures (site_src/static/images/), drawn with Pillow; needs fonts-noto-cjk.
example-images:
	python3 scripts/make_example_images.py

# Speed and memory goals live here, not in timed tests.
bench:
	python3 benchmarks/bench_build.py
	python3 benchmarks/bench_serve.py
	python3 benchmarks/bench_serve_load.py
	python3 benchmarks/bench_split.py
	python3 benchmarks/bench_checks.py
