"""The app factory and the health endpoint."""

from app import create_app
from content import LANGUAGES


def test_health_reports_loaded_content(app, library):
    """/health counts what was loaded: the expected numbers come from the content itself, so editing
    the content never breaks this test (`python -m content check` guards the content's shape)."""
    data = app.test_client().get("/health").get_json()
    assert data["status"] == "ok"
    assert set(data["languages"]) == set(library.languages) == set(LANGUAGES)
    for code, lang in library.languages.items():
        assert data["languages"][code] == lang.counts()
        assert set(lang.counts()) == {
            "cramp_now_steps",
            "bedtime_stretch_steps",
            "causes",
            "prevention",
            "see_doctor",
            "article_sections",
            "utterances",
        }
        assert all(count > 0 for count in data["languages"][code].values())
    assert data["sources"] == len(library.sources) > 0


def test_verification_is_on_by_default(tmp_path, monkeypatch):
    monkeypatch.delenv("ALEXA_VERIFY", raising=False)
    app = create_app({"DATA_DIR": str(tmp_path)})
    assert app.config["ALEXA_VERIFY"] is True
    response = app.test_client().post("/alexa", data=b"{}", content_type="application/json")
    assert response.status_code == 400


def test_pages_carry_security_headers(app):
    response = app.test_client().get("/kiosk")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
