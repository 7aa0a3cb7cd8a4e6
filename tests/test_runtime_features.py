"""funnel.js carries its optional parts (EU consent banner, order bump) only on sites that use them."""

from types import SimpleNamespace

from funnelgen.settings import Tracking
from funnelgen.tracking import runtime_features, runtime_script


def site(audience=(), bump=False):
    steps = {"s": SimpleNamespace(bump=object() if bump else None)}
    return SimpleNamespace(settings=SimpleNamespace(audience=audience), steps=steps)


def test_features_follow_the_site():
    assert runtime_features(site()) == set()
    assert runtime_features(site(audience=("jp", "eu"))) == {"eu"}
    assert runtime_features(site(bump=True)) == {"bump"}


def test_the_script_leaves_out_what_the_site_does_not_use():
    tracking = Tracking({"ga4": "G-AB12CD34EF"})
    bare = runtime_script(tracking, set()).decode()
    full = runtime_script(tracking, {"eu", "bump"}).decode()
    assert "fg-consent" not in bare and "data-fg-bump" not in bare
    assert "fg-consent" in full and "data-fg-bump" in full
    assert "@IF" not in full and "@ENDIF" not in full and len(bare) < len(full)
