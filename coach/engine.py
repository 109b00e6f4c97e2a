"""The conversation: (state, intent, settings) -> Reply. Shared by the Alexa skill and both kiosks.

A routine is said in parts: the content marks the steps after which the coach waits for "next"
(time to get into position before a long stretch), and each "is it easing?" check waits for its
answer. Someone with a cramp now hears the stretch and its timed hold in the first reply.
"""

from __future__ import annotations

from collections.abc import Callable

from content import Language, Library

from .holds import timed_hold
from .reply import (
    RATE_MAX,
    RATE_MIN,
    RATE_STEP,
    ArticleView,
    GoodbyeView,
    Hold,
    HomeView,
    Pause,
    PausedView,
    Profile,
    Reply,
    ResumeOfferView,
    RoutineView,
    SameView,
    Say,
    Segment,
    Settings,
    StepView,
    TopicView,
    View,
)
from .state import MAX_MISSES, State

URGENT_ROUTINES = {"cramp_now"}  # straight into the first step: no title, no intro
STEP_GAP, HEADING_GAP, SETTLE = 1.0, 0.8, 3.0  # pauses in seconds

Handler = Callable[["Engine", "Turn"], None]


def part_end(steps, start: int) -> int:
    """Index just after the part of a routine that begins at `start`: a part runs through the next
    step the coach waits after (`wait`, or a yes/no check), and a doctor step is a part of its own."""
    index = start
    while index < len(steps):
        step = steps[index]
        if index > start and step.kind == "doctor":
            break
        index += 1
        if step.wait or step.kind in ("check", "doctor"):
            break
    return index


def part_starts(steps) -> list[int]:
    starts, index = [], 0
    while index < len(steps):
        starts.append(index)
        index = part_end(steps, index)
    return starts


class Turn:
    """Builds one reply: speech segments plus the state and profile it leads to."""

    def __init__(self, lang: Language, state: State, settings: Settings):
        self.lang = lang
        self.say = lang.say if settings.voice or not settings.screen else {**lang.say, **lang.press}
        self.state, self.profile, self.night = state, settings.profile, settings.night
        self.screen = settings.screen
        self.segments: list[Segment] = []
        self.display = ""
        self.reprompt: str | None = None
        self.end = False
        self.view: View = HomeView()
        self.holds: list[Hold] = []
        self.defer_disclaimer = False  # someone in pain hears the steps first; the disclaimer comes later
        self.section: str | None = None  # the article section named with GoToSectionIntent

    def speak(self, *texts: str) -> Turn:
        self.segments += [Say(t) for t in texts if t]
        return self

    def pause(self, seconds: float) -> Turn:
        self.segments.append(Pause(seconds))
        return self

    def hold(self, hold: Hold) -> Turn:
        self.segments += hold.segments()
        self.holds.append(hold)
        return self

    def symptoms_said(self, doctor: bool = False) -> None:
        """Marks that symptom content was said; with `doctor`, content saying when to contact a doctor."""
        self.state = self.state.with_(symptoms=True, doctor=self.state.doctor or doctor)

    def reply(self) -> Reply:
        if not self.profile.disclaimer_heard and not self.end and not self.defer_disclaimer:
            self.speak(self.say["disclaimer"])
            self.profile = self.profile.with_(disclaimer_heard=True)
        reprompt = self.reprompt
        if reprompt and self.state.symptoms and not self.state.doctor:
            # if this goes unanswered the session ends: a path about symptoms still names the doctor
            reprompt = f"{reprompt} {self.say['goodbye_doctor']}"
        return Reply(
            segments=self.segments,
            display=self.display,
            reprompt=None if self.end else reprompt,
            end=self.end,
            state=self.state.to_dict(),
            profile=self.profile,
            view=self.view,
            night=self.night,
            holds=tuple(self.holds),
        )


class Engine:
    def __init__(self, library: Library):
        self.library = library

    def language(self, code: str) -> Language:
        return self.library[code]

    # The three entry points: a new session, an intent within one, and a session's end.

    def launch(self, settings: Settings, after_idle: bool = False) -> Reply:
        """A new session. `after_idle`: a kiosk visit was reset for the next person; say so first."""
        turn = Turn(self.language(settings.lang), State(mode="ask"), settings)
        if after_idle:
            turn.speak(turn.say["idle_reset"])
        turn.speak(turn.say["welcome"])
        if not turn.profile.disclaimer_heard:
            turn.speak(turn.say["disclaimer"])
            turn.profile = turn.profile.with_(disclaimer_heard=True)
        turn.speak(turn.say["ask_cramp_now"])
        turn.reprompt = turn.say["ask_cramp_now"]
        turn.display = turn.say["ask_cramp_now"]
        turn.view = HomeView(question="cramp_now")
        return turn.reply()

    def handle(self, state: dict | None, intent: str, settings: Settings, section: str | None = None) -> Reply:
        """`section`: the article section the listener named, for GoToSectionIntent (an Alexa slot
        value, or the words said or the button pressed on the kiosk)."""
        lang = self.language(settings.lang)
        turn = Turn(lang, State.from_dict(state, lang), settings)
        turn.section = section
        self._dispatch(turn, intent)
        if intent != "AMAZON.FallbackIntent" and turn.state.misses:
            turn.state = turn.state.with_(misses=0)
        return turn.reply()

    def session_ended(self, settings: Settings) -> Profile:
        """Nothing to finish: the bookmark is kept as sections are read. Returns what to store."""
        return settings.profile

    # Dispatch

    def _dispatch(self, turn: Turn, intent: str) -> None:
        """The handler from the transition table (at the end of this class), else "not understood"."""
        handler = ANYWHERE.get(intent) or IN_MODE.get((turn.state.mode, intent)) or Engine._fallback
        handler(self, turn)

    # What the menu's intents start, wherever they are said

    def _cramp_now(self, turn: Turn) -> None:
        self._start_routine(turn, "cramp_now")

    def _bedtime_stretch(self, turn: Turn) -> None:
        self._start_routine(turn, "bedtime_stretch")

    def _causes(self, turn: Turn) -> None:
        self._topic(turn, turn.state.fresh(mode="topic", topic="causes"))

    def _prevention(self, turn: Turn) -> None:
        self._topic(turn, turn.state.fresh(mode="topic", topic="prevention"))

    def _see_doctor(self, turn: Turn) -> None:
        self._topic(turn, turn.state.fresh(mode="topic", topic="see_doctor"))

    # Menu and the launch question

    def _menu(self, turn: Turn) -> None:
        turn.state = turn.state.fresh(mode="menu")
        turn.speak(turn.say["menu"])
        turn.reprompt = turn.say["menu_short"]
        turn.display = turn.say["menu_short"]
        turn.view = HomeView()

    def _ask_yes(self, turn: Turn) -> None:
        self._start_routine(turn, "cramp_now")

    def _ask_no(self, turn: Turn) -> None:
        """No cramp now: a returning listener is offered the article where they left it, else the menu."""
        index = self._bookmark(turn)
        if index is None:
            return self._menu(turn)
        self._offer_resume(turn, index)

    def _hold_on(self, turn: Turn) -> None:
        """Pause where nothing is playing: no hurry, and what can be said here."""
        turn.speak(turn.say["take_your_time"])
        self._where(turn)

    def _resume_reading(self, turn: Turn) -> None:
        """ "Carry on" outside the article: back to the bookmarked section, if there is one."""
        index = self._bookmark(turn)
        if index is None:
            return self._ask_repeat(turn) if turn.state.mode == "ask" else self._menu(turn)
        self._section(turn, index)

    def _ask_repeat(self, turn: Turn) -> None:
        turn.speak(turn.say["ask_cramp_now"])
        turn.reprompt = turn.display = turn.say["ask_cramp_now"]
        turn.view = HomeView(question="cramp_now")

    def _menu_no(self, turn: Turn) -> None:
        self._goodbye(turn)

    def _goodbye(self, turn: Turn) -> None:
        self._end(turn, turn.say["goodbye"])
        turn.view = GoodbyeView()

    def _end(self, turn: Turn, closing: str) -> None:
        """Ends the session, adding what it says to what is shown. After symptom content, names the
        doctor first, unless that was done since."""
        said = [closing]
        if turn.state.symptoms and not turn.state.doctor:
            said.insert(0, turn.say["goodbye_doctor"])
        turn.speak(*said)
        turn.end = True
        turn.state = State(mode="menu")
        turn.display = "\n".join(line for line in (turn.display, *said) if line)

    # Routines

    def _start_routine(self, turn: Turn, name: str) -> None:
        routine = turn.lang.routine(name)
        turn.state = turn.state.fresh(mode="routine", routine=name)
        if name not in URGENT_ROUTINES:
            turn.speak(turn.say["routine_start"].format(title=routine.title), routine.intro)
        self._routine_part(turn, 0)

    def _routine_part(self, turn: Turn, start: int) -> None:
        """Say the part of the routine that begins at `start`, and where it leaves the listener."""
        routine = turn.lang.routine(turn.state.routine)
        steps = routine.steps
        end = part_end(steps, start)
        turn.state = turn.state.with_(step=start, paused=False)
        turn.symptoms_said(doctor=any(step.kind == "doctor" for step in steps[start:end]))
        for index in range(start, end):
            step = steps[index]
            turn.speak(step.say)
            if step.kind == "hold":
                followed = index + 1 < end and steps[index + 1].kind == "step"
                self._hold(turn, step.hold or 0, step.reps, release_last=not followed)
            elif index + 1 < end:
                turn.pause(STEP_GAP)
        last = steps[end - 1]
        if turn.state.routine in URGENT_ROUTINES and not any(s.kind == "doctor" for s in steps[start:end]):
            turn.defer_disclaimer = True
        if last.kind == "check":
            turn.reprompt = last.say
        elif end < len(steps):
            turn.speak(turn.say["routine_next"])
            turn.reprompt = turn.say["help_routine"]
        shown = steps[start:end]
        turn.display = "\n".join(step.show for step in shown)
        turn.view = RoutineView(
            routine=turn.state.routine,
            title=routine.title,
            intro=routine.intro,
            index=start,
            total=len(steps),
            steps=tuple(StepView(id=s.id, kind=s.kind, show=s.show, say=s.say, figure=s.figure) for s in shown),
            question="easing" if last.kind == "check" else None,
            done=end >= len(steps),
        )
        if end >= len(steps):
            self._routine_done(turn)

    def _routine_done(self, turn: Turn) -> None:
        """The routine is over: the session ends, with the disclaimer if it was kept back."""
        if not turn.profile.disclaimer_heard:  # the doctor step said when to contact one: the short form
            turn.speak(turn.say["disclaimer_short"])
            turn.profile = turn.profile.with_(disclaimer_heard=True)
        self._end(turn, turn.say["routine_done"])  # the last steps stay in view

    def _hold(self, turn: Turn, seconds: int, reps: int, release_last: bool) -> None:
        turn.pause(SETTLE)
        for rep in range(1, reps + 1):
            if rep > 1:
                turn.speak(turn.say["hold_rep"].format(rep=rep, reps=reps)).pause(SETTLE)
            turn.hold(timed_hold(seconds, rep, reps, turn.say))
            if rep < reps or release_last:
                turn.speak(turn.say["release_now"])
                turn.pause(SETTLE if rep < reps else STEP_GAP)

    def _routine_steps(self, turn: Turn):
        return turn.lang.routine(turn.state.routine).steps

    def _at_check(self, turn: Turn) -> bool:
        steps = self._routine_steps(turn)
        return steps[part_end(steps, turn.state.step) - 1].kind == "check"

    def _routine_next(self, turn: Turn) -> None:
        """On to the next part; at "is it easing?" the question is asked again, as it needs an answer."""
        steps = self._routine_steps(turn)
        end = part_end(steps, turn.state.step)
        if steps[end - 1].kind == "check":
            check = steps[end - 1]
            turn.speak(check.say)
            turn.reprompt = check.say
            turn.display = check.show
            turn.view = SameView()
            return None
        if end >= len(steps):
            return self._routine_repeat(turn)
        self._routine_part(turn, end)

    def _routine_previous(self, turn: Turn) -> None:
        earlier = [s for s in part_starts(self._routine_steps(turn)) if s < turn.state.step]
        if not earlier:
            turn.speak(turn.say["first_step"])
            return self._routine_part(turn, turn.state.step)
        self._routine_part(turn, earlier[-1])

    def _routine_repeat(self, turn: Turn) -> None:
        self._routine_part(turn, turn.state.step)

    def _routine_startover(self, turn: Turn) -> None:
        turn.speak(turn.say["start_over"])
        turn.state = turn.state.with_(repeats=0)
        self._routine_part(turn, 0)

    def _routine_pause(self, turn: Turn) -> None:
        turn.state = turn.state.with_(paused=True)
        turn.speak(turn.say["paused"])
        turn.reprompt = turn.display = turn.say["paused"]
        turn.view = PausedView(routine=turn.state.routine, title=turn.lang.routine(turn.state.routine).title)

    def _routine_resume(self, turn: Turn) -> None:
        if turn.state.paused:
            turn.speak(turn.say["resumed"])
        self._routine_part(turn, turn.state.step)

    def _routine_yes(self, turn: Turn) -> None:
        if not self._at_check(turn):
            return self._routine_next(turn)
        turn.speak(turn.say["easing_yes"])
        self._routine_part(turn, part_end(self._routine_steps(turn), turn.state.step))

    def _routine_no(self, turn: Turn) -> None:
        if not self._at_check(turn):
            return self._help(turn)
        routine = turn.lang.routine(turn.state.routine)
        if turn.state.repeats < routine.max_repeats:
            turn.speak(turn.say["not_easing_again"])
            turn.state = turn.state.with_(repeats=turn.state.repeats + 1)
            return self._routine_part(turn, routine.index_of("stretch"))
        turn.speak(turn.say["not_easing_stop"])
        doctor = next(i for i, s in enumerate(routine.steps) if s.kind == "doctor")
        self._routine_part(turn, doctor)

    # Topics: a summary, then item by item

    def _topic(self, turn: Turn, state: State) -> None:
        topic = turn.lang.topic(state.topic)
        turn.state = state
        turn.symptoms_said(doctor=state.topic == "see_doctor")
        if state.item < 0:
            turn.speak(topic.summary)
            if state.topic == "see_doctor":
                turn.speak(topic.disclaimer or "")  # says what the general disclaimer says: no need for both
                turn.profile = turn.profile.with_(disclaimer_heard=True)
            turn.speak(turn.say["topic_more"])
            heading, body = topic.title, [topic.summary]
        else:
            item = topic.items[state.item]
            turn.speak(item.title).pause(HEADING_GAP).speak(item.summary, item.detail)
            heading, body = item.title, [item.summary, item.detail]
            if state.item == len(topic.items) - 1:
                self._topic_closing(turn, state.topic)
            else:
                turn.speak(turn.say["topic_more"])
        turn.reprompt = turn.say["help_topic"]
        turn.display = heading
        turn.view = TopicView(
            topic=state.topic,
            title=topic.title,
            item=state.item,
            items=tuple(i.title for i in topic.items),
            heading=heading,
            body=tuple(body),
        )

    def _topic_closing(self, turn: Turn, name: str) -> None:
        """Every path about symptoms ends with when to contact a doctor."""
        if name != "see_doctor":
            turn.speak(turn.say["goodbye_doctor"])
        turn.symptoms_said(doctor=True)
        turn.speak(turn.say["topic_end"])

    def _topic_next(self, turn: Turn) -> None:
        topic = turn.lang.topic(turn.state.topic)
        item = min(turn.state.item + 1, len(topic.items) - 1)
        self._topic(turn, turn.state.with_(item=item))

    def _topic_previous(self, turn: Turn) -> None:
        if turn.state.item < 0:
            turn.speak(turn.say["topic_first"])
        self._topic(turn, turn.state.with_(item=max(-1, turn.state.item - 1)))

    def _topic_repeat(self, turn: Turn) -> None:
        self._topic(turn, turn.state)

    def _topic_startover(self, turn: Turn) -> None:
        self._topic(turn, turn.state.with_(item=-1))

    def _topic_no(self, turn: Turn) -> None:
        self._menu(turn)

    # The article, section by section, with a bookmark per user

    def _bookmark(self, turn: Turn) -> int | None:
        """The section to carry on from, if the listener stopped after the first one."""
        ids = [s.id for s in turn.lang.article.sections]
        bookmark = turn.profile.bookmark
        return ids.index(bookmark) if bookmark in ids and ids.index(bookmark) > 0 else None

    def _read_article(self, turn: Turn) -> None:
        index = self._bookmark(turn)
        if index is None:
            return self._section(turn, 0)
        self._offer_resume(turn, index)

    def _offer_resume(self, turn: Turn, index: int) -> None:
        sections = turn.lang.article.sections
        turn.state = turn.state.fresh(mode="resume_offer", section=index)
        where = turn.say["article_resume_where"].format(n=index + 1, total=len(sections))
        question = turn.say["article_resume_offer"]
        turn.speak(where, sections[index].heading, question)
        turn.reprompt = question
        turn.display = f"{where} {sections[index].heading}"
        turn.view = ResumeOfferView(
            section=index, sections=tuple(s.heading for s in sections), heading=sections[index].heading
        )

    def _resume_offer_yes(self, turn: Turn) -> None:
        self._section(turn, turn.state.section)

    def _section(self, turn: Turn, index: int) -> None:
        article = turn.lang.article
        section = article.sections[index]
        turn.state = turn.state.fresh(mode="article", section=index)
        turn.symptoms_said(doctor=section.id == "see_doctor")
        turn.speak(section.heading).pause(HEADING_GAP)
        for paragraph in section.paragraphs:
            turn.speak(paragraph).pause(0.5)
        citations = [s.citation for s in self.library.sources.values()] if section.include_sources else []
        if citations:  # read aloud, the list would take minutes: it is shown instead
            turn.speak(turn.say["sources_spoken"])
        last = index == len(article.sections) - 1
        turn.speak(turn.say["article_end"] if last else turn.say["article_next"])
        turn.profile = turn.profile.with_(bookmark=None if last else section.id)
        turn.reprompt = turn.say["help_article"]
        turn.display = section.heading
        turn.view = ArticleView(
            title=article.title,
            section=index,
            sections=tuple(s.heading for s in article.sections),
            heading=section.heading,
            paragraphs=tuple(section.paragraphs),
            sources=tuple(citations),
        )

    def _article_next(self, turn: Turn) -> None:
        if turn.state.section + 1 >= len(turn.lang.article.sections):
            turn.speak(turn.say["article_end"])
            turn.profile = turn.profile.with_(bookmark=None)
            return self._menu(turn)
        self._section(turn, turn.state.section + 1)

    def _article_previous(self, turn: Turn) -> None:
        if turn.state.section == 0:
            turn.speak(turn.say["article_first"])
        self._section(turn, max(0, turn.state.section - 1))

    def _article_repeat(self, turn: Turn) -> None:
        self._section(turn, turn.state.section)

    def _article_startover(self, turn: Turn) -> None:
        self._section(turn, 0)

    def _go_to_section(self, turn: Turn) -> None:
        """Jump to a section by number or name, from anywhere; unknown: say how many there are."""
        index = turn.lang.article.find_section(turn.section or "")
        if index is not None:
            return self._section(turn, index)
        turn.speak(turn.say["section_unknown"].format(total=len(turn.lang.article.sections)))
        self._where(turn)

    def _where_am_i(self, turn: Turn) -> None:
        """Where the listener is, as a DAISY player says it: number, total and heading."""
        state, lang = turn.state, turn.lang
        if state.mode in ("article", "resume_offer"):
            sections = lang.article.sections
            turn.speak(turn.say["where_section"].format(n=state.section + 1, total=len(sections)))
            turn.speak(sections[state.section].heading)
        elif state.mode == "routine":
            routine = lang.routine(state.routine)
            title = routine.title.rstrip("?.!")
            turn.speak(turn.say["where_step"].format(title=title, n=state.step + 1, total=len(routine.steps)))
        elif state.mode == "topic" and state.item >= 0:
            topic = lang.topic(state.topic)
            title = topic.title.rstrip("?.!")
            turn.speak(turn.say["where_point"].format(title=title, n=state.item + 1, total=len(topic.items)))
        elif state.mode == "topic":
            turn.speak(lang.topic(state.topic).title)
        else:
            turn.speak(turn.say["where_menu"])
        turn.speak(self._help_text(turn))
        self._where(turn)

    def _article_pause(self, turn: Turn) -> None:
        turn.speak(turn.say["paused"])
        turn.reprompt = turn.display = turn.say["paused"]
        turn.view = SameView()

    def _article_no(self, turn: Turn) -> None:
        self._menu(turn)

    # Rate, help, fallback

    def _rate(self, turn: Turn, change: float) -> None:
        rate = round(turn.profile.rate + change, 2)
        if rate < RATE_MIN - 1e-9:
            turn.speak(turn.say["rate_slowest"])
        elif rate > RATE_MAX + 1e-9:
            turn.speak(turn.say["rate_fastest"])
        else:
            turn.profile = turn.profile.with_(rate=rate)
            turn.speak(turn.say["rate_slower" if change < 0 else "rate_faster"])
        self._where(turn)

    def _help_text(self, turn: Turn) -> str:
        state = turn.state
        if state.mode == "routine":
            steps = self._routine_steps(turn)
            if self._at_check(turn):
                return turn.say["help_check"]
            return turn.say["help_hold" if steps[state.step].kind == "hold" else "help_routine"]
        return turn.say[
            {
                "ask": "help_menu",
                "menu": "help_menu",
                "topic": "help_topic",
                "article": "help_article",
                "resume_offer": "help_resume_offer",
            }[state.mode]
        ]

    def _where(self, turn: Turn) -> None:
        """Close a reply that did not move: say what can be said here, and keep the screen."""
        help_text = self._help_text(turn)
        if turn.state.mode == "ask":
            turn.speak(turn.say["ask_cramp_now"])
            turn.reprompt = turn.say["ask_cramp_now"]
        else:
            turn.reprompt = help_text
        turn.display = help_text
        turn.view = SameView()

    def _slower(self, turn: Turn) -> None:
        self._rate(turn, -RATE_STEP)

    def _faster(self, turn: Turn) -> None:
        self._rate(turn, +RATE_STEP)

    def _help(self, turn: Turn) -> None:
        turn.speak(self._help_text(turn))
        self._where(turn)

    def _fallback(self, turn: Turn) -> None:
        """Not understood: say so kindly and what can be said here, and change nothing else. From the
        second miss in a row, point to another way: the buttons and keys on a screen, else the menu."""
        misses = min(turn.state.misses + 1, MAX_MISSES)
        if misses < MAX_MISSES:
            turn.speak(turn.say["fallback"], self._help_text(turn))
        else:
            turn.speak(turn.say["fallback_again_screen" if turn.screen else "fallback_again_voice"])
        self._where(turn)
        turn.state = turn.state.with_(misses=misses)


# The transition table. ANYWHERE: intents that do the same in every mode. IN_MODE: what an intent
# does in one mode. Anything else is "not understood" (Engine._fallback), which keeps the place.
ANYWHERE: dict[str, Handler] = {
    "CrampNowIntent": Engine._cramp_now,
    "BedtimeStretchIntent": Engine._bedtime_stretch,
    "WhyCrampsIntent": Engine._causes,
    "PreventionIntent": Engine._prevention,
    "SeeDoctorIntent": Engine._see_doctor,
    "ReadArticleIntent": Engine._read_article,
    "SlowerIntent": Engine._slower,
    "FasterIntent": Engine._faster,
    "AMAZON.HelpIntent": Engine._help,
    "AMAZON.FallbackIntent": Engine._fallback,
    "AMAZON.StopIntent": Engine._goodbye,
    "AMAZON.CancelIntent": Engine._goodbye,
    "AMAZON.NavigateHomeIntent": Engine._menu,
    "GoToSectionIntent": Engine._go_to_section,
    "WhereAmIIntent": Engine._where_am_i,
}

IN_MODE: dict[tuple[str, str], Handler] = {
    ("ask", "AMAZON.YesIntent"): Engine._ask_yes,
    ("ask", "AMAZON.NoIntent"): Engine._ask_no,
    ("ask", "AMAZON.RepeatIntent"): Engine._ask_repeat,
    ("ask", "AMAZON.StartOverIntent"): Engine._ask_repeat,
    ("ask", "AMAZON.NextIntent"): Engine._menu,
    ("ask", "AMAZON.PreviousIntent"): Engine._ask_repeat,
    ("ask", "AMAZON.PauseIntent"): Engine._hold_on,
    ("ask", "AMAZON.ResumeIntent"): Engine._resume_reading,
    ("menu", "AMAZON.YesIntent"): Engine._menu,
    ("menu", "AMAZON.NoIntent"): Engine._menu_no,
    ("menu", "AMAZON.RepeatIntent"): Engine._menu,
    ("menu", "AMAZON.StartOverIntent"): Engine._menu,
    ("menu", "AMAZON.NextIntent"): Engine._menu,
    ("menu", "AMAZON.PreviousIntent"): Engine._menu,
    ("menu", "AMAZON.PauseIntent"): Engine._hold_on,
    ("menu", "AMAZON.ResumeIntent"): Engine._resume_reading,
    ("routine", "AMAZON.YesIntent"): Engine._routine_yes,
    ("routine", "AMAZON.NoIntent"): Engine._routine_no,
    ("routine", "AMAZON.NextIntent"): Engine._routine_next,
    ("routine", "AMAZON.PreviousIntent"): Engine._routine_previous,
    ("routine", "AMAZON.RepeatIntent"): Engine._routine_repeat,
    ("routine", "AMAZON.PauseIntent"): Engine._routine_pause,
    ("routine", "AMAZON.ResumeIntent"): Engine._routine_resume,
    ("routine", "AMAZON.StartOverIntent"): Engine._routine_startover,
    ("topic", "AMAZON.YesIntent"): Engine._topic_next,
    ("topic", "AMAZON.NoIntent"): Engine._topic_no,
    ("topic", "AMAZON.NextIntent"): Engine._topic_next,
    ("topic", "AMAZON.PreviousIntent"): Engine._topic_previous,
    ("topic", "AMAZON.RepeatIntent"): Engine._topic_repeat,
    ("topic", "AMAZON.PauseIntent"): Engine._article_pause,
    ("topic", "AMAZON.ResumeIntent"): Engine._topic_repeat,
    ("topic", "AMAZON.StartOverIntent"): Engine._topic_startover,
    ("article", "AMAZON.YesIntent"): Engine._article_next,
    ("article", "AMAZON.NoIntent"): Engine._article_no,
    ("article", "AMAZON.NextIntent"): Engine._article_next,
    ("article", "AMAZON.PreviousIntent"): Engine._article_previous,
    ("article", "AMAZON.RepeatIntent"): Engine._article_repeat,
    ("article", "AMAZON.PauseIntent"): Engine._article_pause,
    ("article", "AMAZON.ResumeIntent"): Engine._article_repeat,
    ("article", "AMAZON.StartOverIntent"): Engine._article_startover,
    ("resume_offer", "AMAZON.YesIntent"): Engine._resume_offer_yes,
    ("resume_offer", "AMAZON.NextIntent"): Engine._resume_offer_yes,
    ("resume_offer", "AMAZON.ResumeIntent"): Engine._resume_offer_yes,
    ("resume_offer", "AMAZON.StartOverIntent"): Engine._article_startover,
    ("resume_offer", "AMAZON.PreviousIntent"): Engine._article_startover,
    ("resume_offer", "AMAZON.NoIntent"): Engine._menu,
    ("resume_offer", "AMAZON.PauseIntent"): Engine._hold_on,
    ("resume_offer", "AMAZON.RepeatIntent"): Engine._read_article,
}
