"""The app factory and the health endpoint."""

from app import create_app, settings_from_env


def test_health_reports_loaded_content(app):
    data = app.test_client().get("/health").get_json()
    assert data["status"] == "ok"
    assert set(data["languages"]) == {"en", "nb", "da"}
    for counts in data["languages"].values():
        assert counts["cramp_now_steps"] == 9
        assert counts["causes"] == 14
        assert counts["utterances"] >= 21 * 12
    assert data["sources"] == 18


def test_settings_from_environment_are_typed():
    settings = settings_from_env({"ALEXA_VERIFY": "0", "MAX_CONTENT_LENGTH": "100", "PORT": "1"})
    assert settings == {"ALEXA_VERIFY": False, "MAX_CONTENT_LENGTH": 100}


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
