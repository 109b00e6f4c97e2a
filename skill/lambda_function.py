"""AWS Lambda entry point: the same skill, with profiles in DynamoDB (table from DYNAMODB_TABLE).

Lambda checks the applicationId through ALEXA_SKILL_ID; Alexa's signature check is not needed there,
because Lambda invocations come from Alexa's own trigger, not from the open internet.
"""

import os

from content import load_library

from .alexa import build_skill, night_of
from coach.engine import Engine
from .persistence import make_adapter

_config = {"PERSISTENCE": os.environ.get("PERSISTENCE", "dynamodb"),
           "DYNAMODB_TABLE": os.environ.get("DYNAMODB_TABLE", "cramp-coach"),
           "DYNAMODB_ENDPOINT": os.environ.get("DYNAMODB_ENDPOINT", ""),
           "AWS_REGION": os.environ.get("AWS_REGION", "eu-west-1"),
           "DATA_DIR": os.environ.get("DATA_DIR", "/tmp/cramp-coach")}
_builder = build_skill(Engine(load_library()), make_adapter(_config), night_of,
                       skill_id=os.environ.get("ALEXA_SKILL_ID") or None)
lambda_handler = _builder.lambda_handler()
