"""AWS Lambda entry point: the same skill, with profiles in DynamoDB (table from DYNAMODB_TABLE).

Lambda checks the applicationId through ALEXA_SKILL_ID; Alexa's signature check is not needed there,
because Lambda invocations come from Alexa's own trigger, not from the open internet.
"""

from coach.engine import Engine
from content import load_library
from settings import LambdaSettings

from .alexa import build_skill, night_of
from .persistence import make_adapter

_settings = LambdaSettings()
_engine = Engine(load_library(_settings.CONTENT_DIR))
_builder = build_skill(
    _engine, make_adapter(_settings.model_dump()), night_of, skill_id=_settings.ALEXA_SKILL_ID or None
)
lambda_handler = _builder.lambda_handler()
