"""Several instances behind one address share user profiles through DynamoDB (ask-sdk's adapter),
tested against moto's DynamoDB-compatible server on loopback."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import pytest
import requests

from app import create_app
from tests import alexa_signing
from tests.conftest import AlexaClient


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def dynamodb(tmp_path_factory):
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                requests.get(url, timeout=0.5)
                break
            except (requests.ConnectionError, requests.Timeout):  # a busy machine: moto still starting
                time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def instances(dynamodb, tmp_path, monkeypatch):
    for key, value in {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}.items():
        monkeypatch.setenv(key, value)

    def instance(name):
        return create_app(
            {
                "DATA_DIR": str(tmp_path / name),
                "PERSISTENCE": "dynamodb",
                "DYNAMODB_ENDPOINT": dynamodb,
                "DYNAMODB_TABLE": "cramp-coach-test",
                "ALEXA_TRUSTED_ROOTS": [alexa_signing.make_ca().cert],
                "ALEXA_CERT_FETCH": alexa_signing.fake_fetch(),
                "ALEXA_TIMEZONE_LOOKUP": False,
            }
        )

    return instance("a"), instance("b")


def test_bookmark_and_rate_follow_the_user_across_instances(instances, library):
    first, second = instances
    sections = library["en"].article.sections
    user = "amzn1.ask.account.several-instances"
    on_a = AlexaClient(first.test_client(), user=user)
    on_a.launch()
    on_a.say("ReadArticleIntent")
    on_a.say("AMAZON.NextIntent")
    on_a.say("SlowerIntent")

    on_b = AlexaClient(second.test_client(), user=user)
    launch = on_b.launch()
    ssml = launch["response"]["outputSpeech"]["ssml"]
    assert library["en"].say["disclaimer"] not in ssml  # heard on instance a
    offer = on_b.say("ReadArticleIntent")["response"]["outputSpeech"]["ssml"]
    assert sections[1].heading in offer
    assert 'rate="90%"' in offer or 'rate="81%"' in offer  # the slower rate came along


def test_nothing_but_the_profile_is_stored(instances, dynamodb):
    import boto3

    first, _ = instances
    client = AlexaClient(first.test_client(), user="amzn1.ask.account.private")
    client.launch()
    client.say("ReadArticleIntent")
    table = boto3.resource("dynamodb", region_name="eu-west-1", endpoint_url=dynamodb).Table("cramp-coach-test")
    items = table.scan()["Items"]
    assert items and all(set(item["attributes"]) <= {"rate", "bookmark", "disclaimer_heard"} for item in items)
    assert not any("amzn1" in str(item) for item in items)  # user ids are stored hashed
