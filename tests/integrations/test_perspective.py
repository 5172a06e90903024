"""Perspective-compatible endpoint: request and response shapes, thresholds, spans, errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from service.store import Database
from service.store.tables import Label
from service.store.tables_integrations import Check
from tests.browser.conftest import LiveServer
from tests.integrations.conftest import SiteKeys

TOXIC = "You are an idiot and a moron."
KIND = "Thanks for the careful reporting on the council budget."


def analyze(client: FlaskClient, token: str, **body: Any) -> Any:
    request = {"comment": {"text": KIND}, "requestedAttributes": {"TOXICITY": {}}, **body}
    return client.post(f"/v1alpha1/comments:analyze?key={token}", json=request)


@pytest.fixture
def site(make_site: Callable[..., SiteKeys]) -> SiteKeys:
    """A site with a key for analysis and feedback."""
    return make_site(coral=["submit", "moderate"])


def test_analyze_answers_perspectives_shape(client: FlaskClient, site: SiteKeys) -> None:
    """The answer has attributeScores.<ATTR>.summaryScore {value, type}, languages, clientToken."""
    rv = analyze(
        client,
        site.tokens["coral"],
        comment={"text": TOXIC, "type": "PLAIN_TEXT"},
        requestedAttributes={"TOXICITY": {"scoreType": "PROBABILITY"}, "SPAM": {}},
        languages=["en"],
        doNotStore=True,
        clientToken="comment:42",
    )
    assert rv.status_code == 200
    body = rv.get_json()
    assert set(body) == {"attributeScores", "languages", "detectedLanguages", "clientToken"}
    assert body["clientToken"] == "comment:42"
    assert body["languages"] == ["en"]
    toxicity = body["attributeScores"]["TOXICITY"]["summaryScore"]
    assert toxicity["type"] == "PROBABILITY"
    assert toxicity["value"] > 0.5
    assert 0 <= body["attributeScores"]["SPAM"]["summaryScore"]["value"] < 0.5


def test_kind_text_scores_low_toxicity(client: FlaskClient, site: SiteKeys) -> None:
    """A kind comment scores well under 0.5 toxicity; no spans unless asked."""
    scores = analyze(client, site.tokens["coral"]).get_json()["attributeScores"]["TOXICITY"]
    assert scores["summaryScore"]["value"] < 0.5
    assert "spanScores" not in scores


def test_score_threshold_omits_attributes_below_it(client: FlaskClient, site: SiteKeys) -> None:
    """An attribute scoring under its scoreThreshold is left out of attributeScores."""
    body = analyze(
        client,
        site.tokens["coral"],
        requestedAttributes={"TOXICITY": {"scoreThreshold": 0.9}, "SPAM": {"scoreThreshold": 0}},
    ).get_json()
    assert list(body["attributeScores"]) == ["SPAM"]


def test_span_annotations_score_each_sentence(client: FlaskClient, site: SiteKeys) -> None:
    """With spanAnnotations, each sentence gets begin/end offsets and its own score."""
    text = f"{KIND} {TOXIC}"
    body = analyze(
        client, site.tokens["coral"], comment={"text": text}, spanAnnotations=True
    ).get_json()
    spans = body["attributeScores"]["TOXICITY"]["spanScores"]
    assert [text[s["begin"] : s["end"]] for s in spans] == [KIND, TOXIC]
    assert spans[0]["score"]["value"] < 0.5 < spans[1]["score"]["value"]
    assert all(s["score"]["type"] == "PROBABILITY" for s in spans)


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"requestedAttributes": {"INSULT": {}}}, "Unknown attribute: INSULT"),
        ({"requestedAttributes": {}}, "requestedAttributes"),
        ({"languages": ["de"]}, "does not support request languages: de"),
        ({"comment": {"text": ""}}, "empty"),
        ({"comment": {"text": "<b>x</b>", "type": "HTML"}}, "not supported"),
        ({"requestedAttributes": {"TOXICITY": {"scoreThreshold": 2}}}, "scoreThreshold"),
        ({"comment": {"text": "x" * 20481}}, "too long"),
    ],
)
def test_bad_requests_answer_perspectives_error_shape(
    client: FlaskClient, site: SiteKeys, body: dict[str, Any], fragment: str
) -> None:
    """Each bad request gets 400 {"error": {"code": 400, "message", "status": "INVALID_ARGUMENT"}}."""
    rv = analyze(client, site.tokens["coral"], **body)
    assert rv.status_code == 400
    error = rv.get_json()["error"]
    assert error["code"] == 400
    assert error["status"] == "INVALID_ARGUMENT"
    assert fragment.lower() in error["message"].lower()


def test_unsupported_attributes_can_be_dropped(client: FlaskClient, site: SiteKeys) -> None:
    """With dropUnsupportedAttributes an unknown attribute is left out instead of failing."""
    rv = analyze(
        client,
        site.tokens["coral"],
        requestedAttributes={"TOXICITY": {}, "INSULT": {}},
        dropUnsupportedAttributes=True,
    )
    assert list(rv.get_json()["attributeScores"]) == ["TOXICITY"]


def test_keys_are_checked_in_googles_terms(client: FlaskClient, site: SiteKeys) -> None:
    """No key or an unknown one: 403 PERMISSION_DENIED (API key not valid); a bad body: 400."""
    missing = client.post("/v1alpha1/comments:analyze", json={})
    assert (missing.status_code, missing.get_json()["error"]["status"]) == (
        403,
        "PERMISSION_DENIED",
    )
    unknown = analyze(client, "mod_0123456789ab_made-up")
    assert unknown.status_code == 403
    assert unknown.get_json()["error"]["message"].startswith("API key not valid")
    header = client.post(
        "/v1alpha1/comments:analyze",
        data="not json",
        content_type="application/json",
        headers={"X-Goog-Api-Key": site.tokens["coral"]},
    )
    assert header.status_code == 400
    assert header.get_json()["error"]["status"] == "INVALID_ARGUMENT"


def test_nothing_is_stored_by_default(client: FlaskClient, site: SiteKeys, db: Database) -> None:
    """Even with doNotStore false, a site that did not opt in keeps nothing."""
    analyze(client, site.tokens["coral"], doNotStore=False)
    with db.session() as session:
        assert session.scalars(select(Check)).all() == []


def test_opted_in_site_keeps_texts_only_when_allowed(
    client: FlaskClient, make_site: Callable[..., SiteKeys], db: Database
) -> None:
    """With perspective_store on, doNotStore false keeps the text; doNotStore true does not."""
    site = make_site(settings={"perspective_store": True}, coral=["submit", "moderate"])
    analyze(client, site.tokens["coral"], doNotStore=True)
    analyze(client, site.tokens["coral"], doNotStore=False, comment={"text": TOXIC})
    with db.session() as session:
        kept = session.scalars(select(Check)).all()
    assert [(c.text, c.source, c.expires_at) for c in kept] == [(TOXIC, "perspective", None)]


def test_suggest_score_labels_only_for_opted_in_sites(
    client: FlaskClient, make_site: Callable[..., SiteKeys], db: Database
) -> None:
    """suggestscore answers clientToken; an opted-in site turns TOXICITY 1 into a toxic label."""
    plain = make_site("Plain", coral=["submit", "moderate"])
    keen = make_site("Keen", settings={"perspective_store": True}, coral=["submit", "moderate"])
    request = {
        "comment": {"text": TOXIC},
        "attributeScores": {"TOXICITY": {"summaryScore": {"value": 1}}},
        "clientToken": "comment:7",
    }
    for site in (plain, keen):
        rv = client.post(
            f"/v1alpha1/comments:suggestscore?key={site.tokens['coral']}", json=request
        )
        assert rv.status_code == 200
        assert rv.get_json()["clientToken"] == "comment:7"
    with db.session() as session:
        labels = session.scalars(select(Label)).all()
    assert [(row.label, row.site_id, row.source) for row in labels] == [
        ("toxic", keen.site_id, "perspective")
    ]


def test_suggest_score_refuses_what_is_not_a_score(
    client: FlaskClient, make_site: Callable[..., SiteKeys], db: Database
) -> None:
    """Like Google: a suggested value that is not a number from 0 to 1 is a 400
    INVALID_ARGUMENT, and records no label (5 and -1 became labels; found in review)."""
    keen = make_site("Keen", settings={"perspective_store": True}, coral=["submit", "moderate"])
    for value in ("high", 5, -1, None, True):
        request = {
            "comment": {"text": TOXIC},
            "attributeScores": {"TOXICITY": {"summaryScore": {"value": value}}},
        }
        rv = client.post(
            f"/v1alpha1/comments:suggestscore?key={keen.tokens['coral']}", json=request
        )
        assert rv.status_code == 400, value
        assert rv.get_json()["error"]["status"] == "INVALID_ARGUMENT"
    with db.session() as session:
        assert session.scalars(select(Label)).all() == []


def test_googles_own_client_builds_from_our_discovery_document(
    site: SiteKeys, live_server: LiveServer, db: Database
) -> None:
    """Perspective's sample code (google-api-python-client, built from a discovery
    document) works with only its discovery URL and key changed: analyze, then suggest."""
    from googleapiclient import discovery  # the real client, as Perspective's docs use it

    client = discovery.build(
        "commentanalyzer",
        "v1alpha1",
        developerKey=site.tokens["coral"],
        discoveryServiceUrl=f"{live_server.url}/$discovery/rest?version=v1alpha1",
        static_discovery=False,
        cache_discovery=False,
    )
    answer = (
        client.comments()
        .analyze(
            body={
                "comment": {"text": TOXIC},
                "requestedAttributes": {"TOXICITY": {}, "SPAM": {}},
                "languages": ["en"],
            }
        )
        .execute()
    )
    assert set(answer["attributeScores"]) == {"TOXICITY", "SPAM"}
    toxicity = answer["attributeScores"]["TOXICITY"]["summaryScore"]
    assert toxicity["type"] == "PROBABILITY" and toxicity["value"] > 0.5
    kind = client.comments().analyze(
        body={"comment": {"text": KIND}, "requestedAttributes": {"TOXICITY": {}}}
    )
    assert kind.execute()["attributeScores"]["TOXICITY"]["summaryScore"]["value"] < 0.5
    suggested = client.comments().suggestscore(
        body={
            "comment": {"text": KIND},
            "attributeScores": {"TOXICITY": {"summaryScore": {"value": 0.0}}},
            "clientToken": "t-1",
        }
    )
    assert suggested.execute()["clientToken"] == "t-1"


def test_the_discovery_document_names_this_server_and_one_version(client: FlaskClient) -> None:
    """The document's root is the address it was asked on; another version is a 404 in
    Google's error shape."""
    rv = client.get("/$discovery/rest?version=v1alpha1", base_url="https://comments.example")
    assert rv.status_code == 200
    doc = rv.get_json()
    assert doc["rootUrl"] == "https://comments.example/"
    methods = doc["resources"]["comments"]["methods"]
    assert methods["analyze"]["path"] == "v1alpha1/comments:analyze"
    assert "batchPath" not in doc  # we serve no batch endpoint (review finding)
    assert client.get("/$discovery/rest").get_json()["version"] == "v1alpha1"
    other = client.get("/$discovery/rest?version=v1")
    assert other.status_code == 404
    assert other.get_json()["error"]["status"] == "NOT_FOUND"


def test_a_rate_limited_analyze_sends_the_retry_after_it_documents(
    client: FlaskClient, make_site: Callable[..., SiteKeys]
) -> None:
    """Over its key's limit, ``comments:analyze`` answers 429 ``RESOURCE_EXHAUSTED`` with
    ``Retry-After``, and the document declares it on that answer (it did not; found in
    review)."""
    site = make_site(settings={"rate_limit": {"per_minute": 1, "burst": 1}}, coral=["submit"])
    token = site.tokens["coral"]
    first = client.post(f"/v1alpha1/comments:analyze?key={token}", json={})  # a 400 counts
    assert first.status_code == 400
    limited = client.post(f"/v1alpha1/comments:analyze?key={token}", json={})
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0
    assert limited.get_json()["error"]["status"] == "RESOURCE_EXHAUSTED"
    doc = client.get("/openapi.json").get_json()
    answer = doc["paths"]["/v1alpha1/comments:analyze"]["post"]["responses"]["429"]
    assert "Retry-After" in answer["headers"]
