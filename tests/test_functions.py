"""Server-side purchase events (funnelgen/functions/): Stripe webhooks signed here with a test secret, run through
the real purchase.mjs and both host wrappers in Node, with GA4 and Meta replaced by local HTTP stand-ins.
Nothing leaves the machine. Node is required (it is installed here and in CI): without it these tests fail."""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import shutil
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from helpers import EXAMPLE, MINIMAL_CONFIG, write_site

from funnelgen.build import load_site
from funnelgen.functions import HOSTS, function_config, function_files
from funnelgen.tracking import transaction_event_id

FIXTURES = Path(__file__).parent / "fixtures" / "stripe"
DRIVER = FIXTURES / "driver.mjs"
PURCHASE = Path(__file__).resolve().parent.parent / "funnelgen" / "functions" / "purchase.mjs"
SECRET = "whsec_test_5f2b8c1d9e7a4f6b3c0d8e1f2a5b7c9d"
ENV = {"STRIPE_WEBHOOK_SECRET": SECRET, "GA4_API_SECRET": "ga4-secret-Xy12", "META_ACCESS_TOKEN": "EAAtesttoken123"}


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def sign(body: str, timestamp: int, secret: str = SECRET) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


@pytest.fixture(scope="module")
def node() -> str:
    path = shutil.which("node")
    if path is None:
        pytest.fail("Node.js (node 20+) is required for the host-function tests and was not found on PATH: "
                    "install it (apt-get install nodejs); these tests must not be skipped.")
    return path


class Vendors:
    """GA4 and Meta stand-ins on 127.0.0.1: every request is recorded; `answers` maps a path prefix to the statuses
    of its next requests (200 once they are used up)."""

    def __init__(self):
        self.requests: list[dict] = []
        self.answers: dict[str, list[int]] = {}
        vendors = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("content-length") or 0)
                url = urlsplit(self.path)
                vendors.requests.append({"path": url.path, "query": parse_qs(url.query),
                                         "body": json.loads(self.rfile.read(length) or b"null")})
                queue = next((q for p, q in vendors.answers.items() if url.path.startswith(p)), [])
                status = queue.pop(0) if queue else 200
                payload = b'{"events_received": 1}'
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def endpoints(self) -> dict:
        return {"ga4": self.url + "/ga4", "meta": self.url + "/meta"}

    def sent(self, vendor: str) -> list[dict]:
        return [r for r in self.requests if r["path"].startswith("/" + vendor + "/")]


@pytest.fixture
def vendors():
    v = Vendors()
    yield v
    v.server.shutdown()
    v.server.server_close()


@pytest.fixture(scope="module")
def example():
    site, _warnings = load_site(EXAMPLE)
    return site


def run_node(node: str, job: dict) -> dict | list:
    done = subprocess.run([node, str(DRIVER)], input=json.dumps(job), capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def call(event: dict, *, at: int | None = None, now: int | None = None, env: dict | None = None,
         header: str | None | bool = True) -> dict:
    """One webhook delivery of `event`, signed at `at` (default: 3 s after the event) and received at `now`."""
    body = json.dumps(event, ensure_ascii=False)
    at = event["created"] + 3 if at is None else at
    signature = sign(body, at) if header is True else (header or None)
    return {"rawBody": body, "signatureHeader": signature, "env": ENV if env is None else env,
            "now": ((at + 2) if now is None else now) * 1000}


def handle(node, config: dict, *calls: dict) -> list[dict]:
    """Run the calls in one Node process, sharing one replay store."""
    return run_node(node, {"mode": "handler", "module": str(PURCHASE),
                           "calls": [{**c, "config": config} for c in calls]})


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def test_paid_jpy_checkout_sends_one_ga4_and_one_meta_purchase_with_the_browsers_id(node, vendors, example):
    event = fixture("checkout.session.completed.jpy.json")
    session = event["data"]["object"]
    [result] = handle(node, function_config(example, vendors.endpoints), call(event))
    assert result["status"] == 200 and result["body"] == "ok: ga4 sent, meta sent"
    dedupe = transaction_event_id(session["id"])
    [ga4], [meta] = vendors.sent("ga4"), vendors.sent("meta")

    assert ga4["path"] == "/ga4/mp/collect"
    assert ga4["query"] == {"measurement_id": ["G-K7T2Q9X4LM"], "api_secret": ["ga4-secret-Xy12"]}
    [purchase] = ga4["body"]["events"]
    assert purchase["name"] == "purchase"
    assert purchase["params"]["transaction_id"] == dedupe
    assert purchase["params"]["value"] == 1980 and purchase["params"]["currency"] == "JPY"
    assert purchase["params"]["items"][0]["item_id"] == "starter"
    assert purchase["params"]["items"][0]["item_name"] == "動画講座『はじめてのステップメール設計』"
    assert ga4["body"]["timestamp_micros"] == event["created"] * 1_000_000
    client_id = ga4["body"]["client_id"]
    assert client_id.endswith(f".{session['created']}") and client_id.split(".")[0].isdigit()

    assert meta["path"] == "/meta/v25.0/104857361920475/events"
    assert meta["query"] == {"access_token": ["EAAtesttoken123"]}
    [server_event] = meta["body"]["data"]
    assert server_event["event_name"] == "Purchase" and server_event["event_id"] == dedupe
    assert server_event["event_time"] == event["created"] and server_event["action_source"] == "website"
    assert server_event["event_source_url"] == "https://funnelgen-example.netlify.app/upsell/"
    assert server_event["user_data"] == {"em": [sha256("hanako.yamada@example.jp")]}
    assert server_event["custom_data"] == {"value": 1980, "currency": "JPY", "content_ids": ["starter"],
                                           "content_type": "product"}
    assert "test_event_code" not in meta["body"]

    # The raw session id (it opens Stripe's receipt) and the e-mail address reach no vendor and no log line.
    everything = json.dumps(vendors.requests, ensure_ascii=False) + "\n".join(result["log"])
    assert session["id"] not in everything and "example.jp" not in everything.lower()
    assert not any(secret in "\n".join(result["log"]) for secret in ENV.values())


def test_usd_amounts_are_cents(node, vendors, tmp_path):
    config = copy.deepcopy(MINIMAL_CONFIG)
    config["offers"]["starter"].update(price=49, currency="USD")
    config["tracking"] = {"ga4": "G-Q8W3E5R7T9", "meta_pixel": "314159265358979"}
    site, _warnings = load_site(write_site(tmp_path / "site", config))
    event = fixture("checkout.session.completed.usd.json")
    [result] = handle(node, function_config(site, vendors.endpoints), call(event))
    assert result["status"] == 200, result
    [ga4], [meta] = vendors.sent("ga4"), vendors.sent("meta")
    assert ga4["body"]["events"][0]["params"]["value"] == 49 and ga4["body"]["events"][0]["params"]["currency"] == "USD"
    assert meta["body"]["data"][0]["custom_data"]["value"] == 49
    assert meta["body"]["data"][0]["event_id"] == transaction_event_id(event["data"]["object"]["id"])
    assert meta["body"]["data"][0]["user_data"]["em"] == [sha256("jamie.buyer@example.com")]

    cents = copy.deepcopy(event)
    cents["id"], cents["data"]["object"]["amount_total"] = "evt_test_cents", 1999
    [result] = handle(node, function_config(site, vendors.endpoints), call(cents))
    assert vendors.sent("ga4")[-1]["body"]["events"][0]["params"]["value"] == 19.99


def test_the_same_event_again_is_refused_as_a_replay(node, vendors, example):
    event = fixture("checkout.session.completed.jpy.json")
    first, again = handle(node, function_config(example, vendors.endpoints), call(event),
                          call(event, at=event["created"] + 60))
    assert first["status"] == 200
    assert again["status"] == 200 and again["body"].startswith("refused:") and "replay" in again["body"]
    assert len(vendors.sent("ga4")) == 1 and len(vendors.sent("meta")) == 1


@pytest.mark.parametrize("case", ["old timestamp", "future timestamp", "bad signature", "other secret",
                                  "missing header", "header without v1", "no secret configured"])
def test_deliveries_that_are_not_genuine_and_fresh_get_400_and_send_nothing(node, vendors, example, case):
    event = fixture("checkout.session.completed.jpy.json")
    body, at = json.dumps(event), event["created"] + 3
    delivery = {
        "old timestamp": call(event, at=at, now=at + 301),
        "future timestamp": call(event, at=at + 301, now=at),
        "bad signature": call(event, header=f"t={at},v1={'0' * 64}"),
        "other secret": call(event, header=sign(body, at, "whsec_someone_else")),
        "missing header": call(event, header=None),
        "header without v1": call(event, header=f"t={at},v0={'a' * 64}"),
        "no secret configured": call(event, env={**ENV, "STRIPE_WEBHOOK_SECRET": ""}),
    }[case]
    [result] = handle(node, function_config(example, vendors.endpoints), delivery)
    assert result["status"] == 400 and result["body"].startswith("refused:"), result
    assert vendors.requests == []


def test_signed_bodies_that_are_not_stripe_events_get_400(node, vendors, example):
    at = 1796284803
    deliveries = [{"rawBody": body, "signatureHeader": sign(body, at), "env": ENV, "now": (at + 1) * 1000}
                  for body in ("not json", "null", '{"id": "evt_x"}')]
    results = handle(node, function_config(example, vendors.endpoints), *deliveries)
    assert [(r["status"], r["body"]) for r in results] == [(400, "refused: body is not JSON"),
                                                          (400, "refused: not a Stripe event"),
                                                          (400, "refused: not a Stripe event")]
    assert vendors.requests == []


def test_a_rotated_secret_still_verifies_with_any_v1(node, vendors, example):
    event = fixture("checkout.session.completed.jpy.json")
    body, at = json.dumps(event, ensure_ascii=False), event["created"] + 3
    header = f"t={at},v1={'f' * 64},{sign(body, at).split(',')[1]}"
    [result] = handle(node, function_config(example, vendors.endpoints), call(event, header=header))
    assert result["status"] == 200


def test_unknown_offer_is_refused_and_logged(node, vendors, example):
    event = fixture("checkout.session.completed.jpy.json")
    event["data"]["object"]["success_url"] = event["data"]["object"]["success_url"].replace("starter", "ghost")
    [result] = handle(node, function_config(example, vendors.endpoints), call(event))
    assert result["status"] == 200 and result["body"] == 'refused: unknown offer "ghost"'
    assert any("ghost" in line for line in result["log"]) and vendors.requests == []


@pytest.mark.parametrize("change, reason", [
    ({"success_url": "https://other-shop.example/thanks/?fg_offer=starter"}, "other-shop.example"),
    ({"success_url": "https://funnelgen-example.netlify.app/upsell/"}, "no fg_offer"),
    ({"success_url": None}, "no fg_offer"),
    ({"payment_status": "no_payment_required"}, "no_payment_required"),
])
def test_checkouts_that_are_not_this_sites_paid_sales_are_ignored(node, vendors, example, change, reason):
    event = fixture("checkout.session.completed.jpy.json")
    event["data"]["object"].update(change)
    [result] = handle(node, function_config(example, vendors.endpoints), call(event))
    assert result["status"] == 200 and result["body"].startswith("ignored:") and reason in result["body"]
    assert vendors.requests == []


def test_unpaid_session_sends_nothing_until_the_async_payment_succeeds(node, vendors, example):
    unpaid = fixture("checkout.session.completed.unpaid.json")
    paid = fixture("checkout.session.async_payment_succeeded.jpy.json")
    first, second = handle(node, function_config(example, vendors.endpoints), call(unpaid), call(paid))
    assert first["status"] == 200 and first["body"] == "ignored: payment_status is unpaid"
    assert second["status"] == 200 and second["body"] == "ok: ga4 sent, meta sent"
    [ga4], [meta] = vendors.sent("ga4"), vendors.sent("meta")
    dedupe = transaction_event_id(unpaid["data"]["object"]["id"])
    assert ga4["body"]["events"][0]["params"]["transaction_id"] == dedupe == meta["body"]["data"][0]["event_id"]
    assert meta["body"]["data"][0]["custom_data"]["value"] == 9800


def test_other_event_types_are_ignored(node, vendors, example):
    event = fixture("checkout.session.completed.jpy.json")
    event["type"] = "checkout.session.expired"
    [result] = handle(node, function_config(example, vendors.endpoints), call(event))
    assert result == {**result, "status": 200, "body": "ignored: checkout.session.expired is not a purchase"}
    assert vendors.requests == []


def test_a_vendor_down_makes_stripe_retry_and_the_retry_sends_only_what_is_missing(node, vendors, example):
    event = fixture("checkout.session.completed.jpy.json")
    vendors.answers["/meta/"] = [503]  # Meta fails once, then answers 200
    first, retry = handle(node, function_config(example, vendors.endpoints), call(event),
                          call(event, at=event["created"] + 120))
    assert first["status"] == 503 and first["body"] == "retry: ga4 sent, meta retry"
    assert any(line.startswith("meta: HTTP 503") for line in first["log"])
    assert retry["status"] == 200 and retry["body"] == "ok: ga4 sent before, meta sent"
    assert len(vendors.sent("ga4")) == 1 and len(vendors.sent("meta")) == 2


def test_a_vendor_refusing_the_event_is_logged_but_stripe_gets_200(node, vendors, example):
    vendors.answers["/meta/"] = [400]
    [result] = handle(node, function_config(example, vendors.endpoints),
                      call(fixture("checkout.session.completed.jpy.json")))
    assert result["status"] == 200 and result["body"] == "ok: ga4 sent, meta failed"
    assert any(line.startswith("meta: HTTP 400") for line in result["log"])


def test_an_unreachable_vendor_counts_as_down(node, vendors, example):
    config = function_config(example, {"ga4": vendors.url + "/ga4", "meta": "http://127.0.0.1:9"})
    [result] = handle(node, config, call(fixture("checkout.session.completed.jpy.json")))
    assert result["status"] == 503 and result["body"] == "retry: ga4 sent, meta retry"


def test_vendors_without_their_secret_or_id_are_not_sent(node, vendors, example):
    event = fixture("checkout.session.completed.jpy.json")
    config = function_config(example, vendors.endpoints)
    [result] = handle(node, config, call(event, env={**ENV, "META_ACCESS_TOKEN": ""}))
    assert result["body"] == "ok: ga4 sent" and "meta: not sent, META_ACCESS_TOKEN is not set" in result["log"]
    vendors.requests.clear()
    [result] = handle(node, {**config, "ga4": None, "meta_pixel": None}, call(event))
    assert result["body"] == "ok: no vendor configured" and vendors.requests == []
    [result] = handle(node, config, call(event, env={**ENV, "META_TEST_EVENT_CODE": "TEST4821"}))
    assert vendors.sent("meta")[-1]["body"]["test_event_code"] == "TEST4821"


def write_functions(site, host: str, dest: Path, endpoints: dict) -> dict[str, str]:
    files = function_files(site, host, endpoints)
    for rel, text in files.items():
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        (dest / rel).write_text(text, encoding="utf-8")
    return files


def test_netlify_wrapper(node, vendors, example, tmp_path):
    files = write_functions(example, "netlify", tmp_path, vendors.endpoints)
    assert sorted(files) == ["netlify/functions/fg-stripe-webhook/config.mjs",
                             "netlify/functions/fg-stripe-webhook/fg-stripe-webhook.mjs",
                             "netlify/functions/fg-stripe-webhook/purchase.mjs"]
    entry = tmp_path / "netlify/functions/fg-stripe-webhook/fg-stripe-webhook.mjs"
    event = fixture("checkout.session.completed.jpy.json")
    body = json.dumps(event, ensure_ascii=False)
    job = {"mode": "netlify", "entry": str(entry), "env": ENV, "rawBody": body, "signatureHeader": sign(body, int(time.time()))}
    out = run_node(node, job)
    assert out["status"] == 200 and out["body"] == "ok: ga4 sent, meta sent\n"
    assert out["config"] == {"path": "/api/stripe-webhook", "method": ["POST"]}
    assert any(line.startswith("fg-stripe-webhook: purchase fg_") for line in out["logs"])
    assert len(vendors.sent("ga4")) == 1 and len(vendors.sent("meta")) == 1
    assert vendors.sent("meta")[0]["body"]["data"][0]["event_id"] == transaction_event_id(event["data"]["object"]["id"])

    out = run_node(node, {**job, "signatureHeader": None})
    assert out["status"] == 400 and "no Stripe-Signature header" in out["body"]
    out = run_node(node, {**job, "method": "GET"})
    assert out["status"] == 405


def test_cloudflare_pages_wrapper(node, vendors, example, tmp_path):
    files = write_functions(example, "cloudflare-pages", tmp_path, vendors.endpoints)
    assert sorted(files) == ["functions/_funnelgen/config.mjs", "functions/_funnelgen/purchase.mjs",
                             "functions/api/stripe-webhook.js"]
    event = fixture("checkout.session.completed.usd.json")
    event["data"]["object"]["success_url"] = "https://funnelgen-example.netlify.app/apply/?fg_offer=templates"
    body = json.dumps(event, ensure_ascii=False)
    out = run_node(node, {"mode": "cloudflare", "entry": str(tmp_path / "functions/api/stripe-webhook.js"),
                          "env": ENV, "rawBody": body, "signatureHeader": sign(body, int(time.time())), "times": 2})
    assert [r["status"] for r in out["responses"]] == [200, 200]
    assert out["responses"][0]["body"] == "ok: ga4 sent, meta sent\n"
    assert out["responses"][1]["body"].startswith("refused:") and "replay" in out["responses"][1]["body"]
    # The replay store is the bound KV namespace, kept a week (Stripe retries for three days).
    assert out["kv"][f"fg-stripe/{event['id']}"] == "1" and out["kv"][f"fg-stripe/{event['id']}#ttl"] == 7 * 86400
    assert out["exports"] == ["onRequestPost"]
    assert len(vendors.sent("ga4")) == 1 and vendors.sent("ga4")[0]["body"]["events"][0]["params"]["currency"] == "USD"


def test_function_files_config_comes_from_the_site_and_holds_no_secret(example):
    for host in HOSTS:
        files = function_files(example, host)
        [config_text] = [text for rel, text in files.items() if rel.endswith("/config.mjs")]
        config = json.loads(config_text.split("export default ", 1)[1].rstrip().rstrip(";"))
        assert config["site"] == "https://funnelgen-example.netlify.app/"
        assert config["ga4"] == "G-K7T2Q9X4LM" and config["meta_pixel"] == "104857361920475"
        assert config["offers"]["starter"] == {"name": "動画講座『はじめてのステップメール設計』", "currency": "JPY"}
        assert config["endpoints"] == {"ga4": "https://www.google-analytics.com", "meta": "https://graph.facebook.com"}
        assert not any(name in config_text for name in ("whsec_", "api_secret", "access_token"))
    with pytest.raises(ValueError, match="github-pages"):
        function_files(example, "github-pages")


def test_the_shared_code_uses_only_web_apis_so_it_runs_on_workers_and_node():
    source = PURCHASE.parent
    for name in ("purchase.mjs", "cloudflare.mjs"):
        text = (source / name).read_text(encoding="utf-8")
        assert "node:" not in text and "require(" not in text and "process." not in text, name
    # Netlify's wrapper may read process.env, guarded, as Netlify documents; it prefers Netlify.env.get.
    assert 'typeof process !== "undefined"' in (source / "netlify.mjs").read_text(encoding="utf-8")


def test_the_build_writes_the_function_for_its_host_and_can_leave_purchases_to_it(tmp_path):
    """tracking.server_events writes the function where the host looks (inside the site folder, never the
    output); browser_purchase: false tells funnel.js to leave purchases to it."""
    import copy as _copy

    from helpers import MINIMAL_CONFIG, write_site

    from funnelgen.build import build

    cfg = _copy.deepcopy(MINIMAL_CONFIG)
    cfg["tracking"] = {"ga4": "G-K7T2Q9X4LM", "server_events": "netlify", "browser_purchase": False}
    src = write_site(tmp_path / "site", cfg)
    out = tmp_path / "out"
    build(src, out)
    entry = src / "netlify" / "functions" / "fg-stripe-webhook" / "fg-stripe-webhook.mjs"
    config = (entry.parent / "config.mjs").read_text(encoding="utf-8")
    assert entry.is_file() and (entry.parent / "purchase.mjs").is_file()
    assert '"starter"' in config and "G-K7T2Q9X4LM" in config and "SECRET" not in config.upper().replace(
        "NO SECRETS HERE", "")
    assert not list(out.rglob("*.mjs"))  # nothing of it is published
    runtime = next((out / "assets").glob("funnel.*.js")).read_text(encoding="utf-8")
    assert '"browser_purchase":false' in runtime and "C.browser_purchase!==false" in runtime.replace(" ", "")
