"""Which walk each verify path resumes from (funnelgen/verify/forks.py): no browser needed."""

from __future__ import annotations

import asyncio

from helpers import EXAMPLE

from funnelgen.build import load_site
from funnelgen.graph import CHECKOUT, DECLINE, NEXT, FunnelPath, Hop
from funnelgen.graph import paths as enumerate_paths
from funnelgen.verify.forks import Forks, parting
from funnelgen.verify.splits import with_variants


def example_paths() -> list:
    site, _ = load_site(EXAMPLE)
    paths, _ = enumerate_paths(site)
    return with_variants(site, paths)


def test_each_example_path_resumes_from_the_earlier_one_sharing_the_longest_beginning():
    paths = example_paths()
    ids = [p.id for p in paths]
    forks = Forks(paths)
    source = {ids[k]: (ids[j], paths[k].hops[d].step) for k, (j, d) in forks.source.items()}
    assert source == {
        # per opt-in variant: the upsell's decline after the same purchase, then the downsell's, then the bump
        "blog-2-a": ("blog-1-a", "upsell"), "blog-3-a": ("blog-2-a", "downsell"),
        "blog-4-a": ("blog-1-a", "starter"), "blog-5-a": ("blog-4-a", "upsell"), "blog-6-a": ("blog-5-a", "downsell"),
        "blog-2-b": ("blog-1-b", "upsell"), "blog-3-b": ("blog-2-b", "downsell"),
        "blog-4-b": ("blog-1-b", "starter"), "blog-5-b": ("blog-4-b", "upsell"), "blog-6-b": ("blog-5-b", "downsell"),
        "instagram-2": ("instagram-1", "upsell"), "instagram-3": ("instagram-2", "downsell"),
        "instagram-4": ("instagram-1", "starter"), "instagram-5": ("instagram-4", "upsell"),
        "instagram-6": ("instagram-5", "downsell"),
    }
    # the walks that start at an entry page: one per funnel and forced variant
    assert [i for i in ids if i not in source] == ["blog-1-a", "blog-1-b", "instagram-1"]
    assert Forks([]).source == {}  # --from-entry


def test_paths_part_only_where_the_same_step_is_left_another_way():
    a = [Hop("optin", "form", "next", "gift"), Hop("gift", NEXT, "next", "sales"), Hop("sales", CHECKOUT, "next", "x")]
    b = a[:2] + [Hop("sales", DECLINE, "decline", "y")]
    assert parting(a, b) == 2
    assert parting(a, a) is None  # the same path
    assert parting(a, a[:2]) is None  # one ends where the other goes on: nothing to do differently there
    assert parting(a, [Hop("optin", "form", "next", "thanks")]) == 0  # parts at once (Forks does not resume there)
    assert parting(a, [Hop("other", NEXT, "next", "gift")]) is None


def _path(pid: str, *actions: str, funnel: str = "f", variants: dict | None = None) -> FunnelPath:
    hops = [Hop("entry", "form", "next", "s1")]
    hops += [Hop(f"s{i + 1}", action, action, f"s{i + 2}") for i, action in enumerate(actions)]
    return FunnelPath(pid, funnel, hops, variants=variants or {})


def test_a_walk_that_resumed_at_a_step_hands_over_nothing_before_it():
    first = _path("p1", "x", "x")
    second = _path("p2", "y", "x")  # parts from p1 at s1 (hop 1)
    third = _path("p3", "z", "x")  # parts from both at s1: p2 resumed right there, so p1 hands over to both
    fourth = _path("p4", "y", "y")  # parts from p2 at s2, which p2 walked itself
    other = _path("p5", "y", "y", variants={"t": "b"})  # another forced variant walks from its entry
    forks = Forks([first, second, third, fourth, other])
    assert forks.source == {1: (0, 1), 2: (0, 1), 3: (1, 2)}
    assert forks.wanted == {0: {1}, 1: {2}}


def test_a_walk_that_stops_early_lets_the_later_ones_walk_from_the_entry():
    forks = Forks([_path("p1", "x", "x"), _path("p2", "y", "x")])

    async def run():
        waiting = asyncio.ensure_future(forks.start_of(1))
        await asyncio.sleep(0)
        assert not waiting.done()  # p2 waits until p1 gets to s1 ...
        assert forks.wants(0, 1) and not forks.wants(0, 2)
        forks.finished(0)  # ... but p1 stopped before it
        return await waiting

    assert asyncio.run(run()) is None
