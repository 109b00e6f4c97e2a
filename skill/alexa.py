"""The Alexa surface: ask-sdk handlers that turn requests into engine calls and replies into SSML."""

from __future__ import annotations

import logging
import re

from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter
from ask_sdk_core.dispatch_components import AbstractExceptionHandler, AbstractRequestHandler
from ask_sdk_core.exceptions import PersistenceException
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.skill_builder import CustomSkillBuilder
from ask_sdk_core.utils import is_request_type
from ask_sdk_model import IntentRequest, Response
from ask_sdk_model.ui import SimpleCard

from coach.engine import Engine
from coach.night import is_night
from coach.reply import (
    ArticleView,
    PausedView,
    Profile,
    Reply,
    RoutineView,
    SameView,
    Say,
    Settings,
    StepView,
    TopicView,
)
from content import Language

from .night import device_now
from .ssml import reply_ssml

log = logging.getLogger(__name__)
LANGUAGE_OF_LOCALE = {"en": "en", "nb": "nb", "no": "nb", "nn": "nb", "da": "da"}
MAX_CARD_CHARS = 8_000  # title and content together
_SENTENCE_OR_LINE_END = re.compile(r"[.!?…](?=\s)|(?=\n)")


def language_of(locale: str | None) -> str:
    return LANGUAGE_OF_LOCALE.get((locale or "en").split("-")[0].lower(), "en")


class ConversationHandler(AbstractRequestHandler):
    """One handler for launch, intents and session end: the engine decides everything else."""

    def __init__(self, engine: Engine, night_of):
        self.engine, self.night_of = engine, night_of

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return any(
            is_request_type(kind)(handler_input) for kind in ("LaunchRequest", "IntentRequest", "SessionEndedRequest")
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        request = handler_input.request_envelope.request
        attributes = handler_input.attributes_manager
        profile = _load_profile(attributes)
        settings = Settings(language_of(getattr(request, "locale", None)), profile, self.night_of(handler_input))
        if is_request_type("SessionEndedRequest")(handler_input):
            self._save(attributes, profile, self.engine.session_ended(settings))
            return handler_input.response_builder.response
        if isinstance(request, IntentRequest) and request.intent is not None and request.intent.name:
            state = (attributes.session_attributes or {}).get("state")
            reply = self.engine.handle(state, request.intent.name, settings, section=_section_slot(request))
        else:
            reply = self.engine.launch(settings)
        attributes.session_attributes = {"state": reply.state}
        lang = self.engine.language(settings.lang)
        if not self._save(attributes, profile, reply.profile) and reply.profile.rate != profile.rate:
            # Right after the sentence that promised the new rate, so a question still ends the reply.
            reply.segments.insert(1, Say(lang.say["setting_not_saved"]))
        return respond(handler_input, reply, lang)

    @staticmethod
    def _save(attributes, before: Profile, after: Profile) -> bool:
        """False if the profile changed but could not be stored: that costs the setting, never the answer."""
        if after == before:
            return True
        try:
            attributes.persistent_attributes = after.to_dict()
            attributes.save_persistent_attributes()
            return True
        except PersistenceException as error:
            log.error("profile not saved: %s", error)
            return False


def _section_slot(request: IntentRequest) -> str | None:
    """The section named in GoToSectionIntent: the id Alexa resolved it to, else the words heard."""
    slot = (request.intent.slots or {}).get("section") if request.intent else None
    if slot is None:
        return None
    for authority in getattr(getattr(slot, "resolutions", None), "resolutions_per_authority", None) or []:
        for match in authority.values or []:
            if match.value is not None and match.value.id:
                return match.value.id
    return slot.value


def _load_profile(attributes) -> Profile:
    try:
        return Profile.from_dict(attributes.persistent_attributes)
    except PersistenceException as error:
        log.error("profile not read, using defaults: %s", error)
        return Profile()


def respond(handler_input: HandlerInput, reply: Reply, lang: Language) -> Response:
    speech, reprompt = reply_ssml(reply)
    builder = handler_input.response_builder.speak(speech)
    if reprompt:
        builder.ask(reprompt)
    card = reply_card(reply, lang)
    if card:
        builder.set_card(card)
    builder.set_should_end_session(reply.end)
    return builder.response


def reply_card(reply: Reply, lang: Language) -> SimpleCard | None:
    """The screen as a card in the Alexa app, so the words can be read again in the morning: a routine
    part's steps, a topic item, an article section with its sources; elsewhere what was said. A reply
    that keeps the screen (help, not understood, a rate change) has no card, so the latest card in the
    app stays the last content heard."""
    view = reply.view
    if isinstance(view, SameView):
        return None
    if isinstance(view, RoutineView):
        title, lines = view.title, [line for step in view.steps for line in step_lines(step)]
    elif isinstance(view, TopicView):
        title, lines = view.title, [view.heading, *view.body] if view.item >= 0 else list(view.body)
    elif isinstance(view, ArticleView):
        title, lines = view.heading, [*view.paragraphs, *view.sources]
    elif isinstance(view, PausedView):
        title, lines = view.title, reply.spoken()
    else:  # home, goodbye, the offer to resume the article
        title, lines = lang.ui["app_name"], reply.spoken()
    return SimpleCard(title, fit("\n".join(lines), MAX_CARD_CHARS - len(title)))


def step_lines(step: StepView) -> list[str]:
    """A step's short line; the doctor step also in full, with every warning sign, as on the kiosk."""
    return [step.show, step.say] if step.kind == "doctor" else [step.show]


def fit(text: str, limit: int) -> str:
    """At most `limit` characters, cut after the last whole sentence or line that fits, else after the
    last whole word with "…"."""
    if len(text) <= limit:
        return text
    ends = [match.end() for match in _SENTENCE_OR_LINE_END.finditer(text, 1, limit + 1)]
    if ends:
        return text[: ends[-1]].rstrip()
    head = text[: limit - 1]
    return (head.rsplit(" ", 1)[0] if " " in head else head) + "…"


class KindErrorHandler(AbstractExceptionHandler):
    """A fault inside the skill still gets a calm answer. Logs the kind of fault, never user data."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def can_handle(self, handler_input, exception) -> bool:
        return True

    def handle(self, handler_input, exception) -> Response:
        log.error("skill fault: %s", type(exception).__name__)
        lang = self.engine.language(language_of(getattr(handler_input.request_envelope.request, "locale", None)))
        text = lang.say["fallback"] + " " + lang.say["help_menu"]
        return handler_input.response_builder.speak(text).ask(lang.say["menu_short"]).response


def night_of(handler_input: HandlerInput, lookup: bool = True) -> bool:
    """Night mode from the device's clock; `lookup` asks Alexa for the device's time zone."""
    system = handler_input.request_envelope.context.system if handler_input.request_envelope.context else None
    if not (lookup and system):
        return is_night(device_now(None, None, None))
    device_id = system.device.device_id if system.device else None
    return is_night(device_now(system.api_endpoint, device_id, system.api_access_token))


def build_skill(engine: Engine, adapter: AbstractPersistenceAdapter, night_of, skill_id: str | None = None):
    """The skill; `skill_id` makes ask-sdk refuse requests for other skills (the Lambda entry sets it)."""
    builder = CustomSkillBuilder(persistence_adapter=adapter)
    builder.skill_id = skill_id  # type: ignore[assignment]  # ask-sdk leaves it unannotated, inferred as None
    builder.add_request_handler(ConversationHandler(engine, night_of))
    builder.add_exception_handler(KindErrorHandler(engine))
    return builder
