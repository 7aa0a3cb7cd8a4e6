"""Each host target's output: the files the host reads, parsed here by small parsers of their documented formats
(https://docs.netlify.com/routing/headers/, https://docs.netlify.com/routing/redirects/,
https://developers.cloudflare.com/pages/configuration/headers/), written independently of funnelgen's own; and a
GitHub Pages project site whose every link resolves inside its sub-path."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml
from bs4 import BeautifulSoup
from helpers import copy_example

from funnelgen.build import build

POST_FORMS = {"lead": "https://app.convertkit.com/forms/123/subscriptions", "apply": "https://formspree.io/f/abcd1234"}
REDIRECTS = [{"from": "/seminar/", "to": "optin-sns"}, {"from": "/go/", "to": "/starter/", "status": 302},
             {"from": "/book/", "to": "https://calendly.com/kotonoha/30min"}, {"from": "/old.html", "to": "gift"}]


def build_example(tmp_path: Path, host: str, base_url: str | None = None, **site):
    src = copy_example(tmp_path / "site")
    cfg = yaml.safe_load((src / "site.yml").read_text(encoding="utf-8"))
    cfg["site"].update(host=host, **site)
    if base_url:
        cfg["site"]["base_url"] = base_url
    if host != "netlify":
        for fid, action in POST_FORMS.items():
            cfg["forms"][fid].update(provider="post", action=action, redirect_field="_next")
    cfg["redirects"] = REDIRECTS
    (src / "site.yml").write_text(yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False), encoding="utf-8")
    out = tmp_path / "out"
    return out, build(src, out)


def parse_headers(text: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """A rule starts with a path at column 0; its headers are the indented `Name: value` lines below it."""
    rules: list[tuple[str, list[tuple[str, str]]]] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if line[0] in " \t":
            name, sep, value = line.strip().partition(":")
            assert sep and rules and re.fullmatch(r"[A-Za-z0-9-]+", name), f"line {number}: {line!r}"
            rules[-1][1].append((name, value.strip()))
        else:
            assert line.startswith("/") and " " not in line, f"line {number}: a rule must start with a path"
            rules.append((line, []))
    assert all(headers for _path, headers in rules), "a path without headers"
    return rules


def matching(rules, path: str) -> list[tuple[str, str]]:
    """Every header of every rule whose path matches (exact, or a trailing * splat), in file order."""
    return [h for pattern, headers in rules
            if (path.startswith(pattern[:-1]) if pattern.endswith("*") else pattern == path) for h in headers]


def parse_redirects(text: str) -> list[tuple[str, str, int]]:
    rules = []
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            source, target, status = line.split()
            rules.append((source, target, int(status)))
    return rules


def policy_of(html: str) -> str | None:
    meta = BeautifulSoup(html, "html.parser").find("meta", attrs={"http-equiv": "Content-Security-Policy"})
    return meta["content"] if meta else None


@pytest.mark.parametrize("host", ["netlify", "cloudflare-pages"])
def test_hosts_with_headers_and_redirects(tmp_path, host):
    out, _result = build_example(tmp_path, host)
    assert not (out / "index.html").exists() and not (out / ".nojekyll").exists()
    redirects = parse_redirects((out / "_redirects").read_text(encoding="utf-8"))
    assert redirects[0] == ("/", "/optin/", 200)  # the home step, before anything else
    assert ("/seminar/", "/optin-sns/", 301) in redirects and ("/seminar", "/optin-sns/", 301) in redirects
    assert ("/go/", "/starter/", 302) in redirects and ("/book/", "https://calendly.com/kotonoha/30min", 301) in redirects
    assert ("/old.html", "/gift/", 301) in redirects
    assert not (out / "seminar").exists() and not (out / "old.html").exists()  # the host redirects
    rules = parse_headers((out / "_headers").read_text(encoding="utf-8"))
    runtime = next((out / "assets").glob("funnel.*.js")).name
    for path in ["/", "/optin/", "/starter/", "/upsell/", "/thanks/", "/legal/", "/privacy/", f"/assets/{runtime}"]:
        headers = matching(rules, path)
        names = [name.lower() for name, _value in headers]
        assert len(names) == len(set(names)), f"{path}: a header set twice ({names}): Cloudflare would join them"
        got = dict((name.lower(), value) for name, value in headers)
        assert got["x-content-type-options"] == "nosniff" and got["x-frame-options"] == "DENY"
        if path.startswith("/assets/"):
            assert got["cache-control"] == "public, max-age=31536000, immutable"
            continue
        assert got["cache-control"] == "public, max-age=0, must-revalidate"
        csp = got["content-security-policy"]
        for directive in ("default-src 'self'", "frame-ancestors 'none'", "base-uri 'none'", "object-src 'none'"):
            assert directive in csp, (path, directive)
        assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
        page = out / (path.strip("/") + "/index.html" if path != "/" else "optin/index.html")
        assert policy_of(page.read_text(encoding="utf-8")) is None  # in the header, not twice
    optin = (out / "optin" / "index.html").read_text(encoding="utf-8")
    if host == "netlify":
        assert 'data-netlify="true"' in optin
    else:
        assert "data-netlify" not in optin and "form-action 'self' https://app.convertkit.com" in \
            dict(matching(rules, "/optin/"))["Content-Security-Policy"]


@pytest.mark.parametrize("host", ["github-pages", "static"])
def test_hosts_without_headers(tmp_path, host):
    out, _result = build_example(tmp_path, host)
    assert not (out / "_headers").exists() and not (out / "_redirects").exists()
    assert (out / ".nojekyll").exists() == (host == "github-pages")
    home = BeautifulSoup((out / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert home.find("link", rel="canonical")["href"] == "https://funnelgen-example.netlify.app/optin/"
    for rel in ("index.html", "optin/index.html", "starter/index.html", "legal/index.html", "404.html"):
        html = (out / rel).read_text(encoding="utf-8")
        csp = policy_of(html)
        assert csp and "default-src 'self'" in csp and "base-uri 'none'" in csp, rel
        assert "frame-ancestors" not in csp  # ignored in <meta> (browsers log an error for it)
        assert html.index("Content-Security-Policy") < html.index("<script") if "<script" in html else True
    moved = BeautifulSoup((out / "seminar" / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert moved.find("meta", attrs={"http-equiv": "refresh"})["content"] == "0; url=/optin-sns/"
    assert moved.find("link", rel="canonical")["href"] == "https://funnelgen-example.netlify.app/optin-sns/"
    assert moved.find("meta", attrs={"name": "robots"})["content"] == "noindex"
    assert (out / "go" / "index.html").is_file() and (out / "book" / "index.html").is_file()
    assert "url=/gift/" in (out / "old.html").read_text(encoding="utf-8")


def test_github_pages_project_site_links_resolve_under_the_sub_path(tmp_path):
    base = "https://kotonoha.github.io/funnel/"
    out, result = build_example(tmp_path, "github-pages", base)

    def resolve(url: str, where: str) -> None:
        parts = urlsplit(url)
        if parts.scheme in ("mailto", "tel") or (parts.scheme and parts.netloc != "kotonoha.github.io"):
            return
        if not parts.path or not url.strip() or url.startswith("#"):
            return
        assert parts.path.startswith("/funnel/"), f"{where}: {url} leaves the sub-path"
        inner = unquote(parts.path[len("/funnel/"):])
        target = out / inner
        assert (target / "index.html").is_file() if parts.path.endswith("/") else \
            (target.is_file() or (target / "index.html").is_file()), f"{where}: {url} names no file"

    checked = 0
    for page in out.rglob("*.html"):
        where = str(page.relative_to(out))
        doc = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for tag in doc.find_all(True):
            for attr in ("href", "src", "action"):
                if tag.get(attr) and not (tag.name == "form" and tag.get(attr).startswith("https://")):
                    resolve(tag[attr], where)
                    checked += 1
        refresh = doc.find("meta", attrs={"http-equiv": "refresh"})
        if refresh:
            resolve(refresh["content"].split("url=", 1)[1], where)
        for hidden in doc.find_all("input", attrs={"name": "_next"}):
            assert hidden["value"].startswith(base)
            resolve(hidden["value"], where)
    sitemap = (out / "sitemap.xml").read_text(encoding="utf-8")
    for loc in re.findall(r"<loc>([^<]+)</loc>", sitemap):
        assert loc.startswith(base)
        resolve(loc, "sitemap.xml")
    assert "Sitemap: https://kotonoha.github.io/funnel/sitemap.xml" in (out / "robots.txt").read_text()
    for _offer, url in result.success_urls:
        assert url.startswith(base)
        resolve(url, "success URL")
    gift = BeautifulSoup((out / "gift" / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert gift.find("a", href="/funnel/downloads/mail-7-templates.pdf")  # written /downloads/… in Markdown
    assert checked > 100


DOCS = Path(__file__).resolve().parent.parent / "docs"


def test_deploy_docs_pin_the_funnelgen_version_and_the_pages_workflow_is_whole():
    from funnelgen import __version__

    text = (DOCS / "deploy.md").read_text(encoding="utf-8")
    installs = re.findall(r"pip install (funnelgen[^\s&\"`]*)", text)
    assert installs and all(spec == f"funnelgen=={__version__}" for spec in installs), installs
    toml = (DOCS.parent / "netlify.toml").read_text(encoding="utf-8")
    assert f"funnelgen=={__version__}" in toml  # the comment showing a site's own pinned command
    workflow = yaml.safe_load(text.split("`.github/workflows/pages.yml`:\n\n```yaml\n", 1)[1].split("```", 1)[0])
    steps = workflow["jobs"]["build"]["steps"]
    runs = " && ".join(s.get("run", "") for s in steps)
    assert f"pip install funnelgen=={__version__}" in runs and "funnelgen build . -o dist" in runs
    assert any(s.get("uses", "").startswith("actions/upload-pages-artifact") and s["with"]["path"] == "dist"
               for s in steps)
    assert workflow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert workflow["jobs"]["deploy"]["steps"][0]["uses"].startswith("actions/deploy-pages")
