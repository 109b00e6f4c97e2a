/* What the screen shows: each reply's `view`, the labels in the page's language, the countdown, and
   what a screen reader is told when the screen changes. */

import { clearCaption } from "./caption.js";
import { $, $$, page, visible } from "./page.js";
import { pause, paused, resumed, unpause } from "./resume.js";
import { label, state } from "./state.js";

const fill = (template, values) => template.replace(/\{(\w+)\}/g, (_, name) => values[name]);

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

const RENDER = { home() {}, goodbye() {}, routine: renderRoutine, topic: renderTopic, article: renderArticle };
// Every screen has Repeat: on the home screen the server asks its question again; where the visit
// has ended, the page says it all again itself (input.js).
const NAV = {
  home: ["repeat"],
  goodbye: ["repeat"],
  routine: ["back", "repeat", "next", "pause", "home", "stop"],
  topic: ["back", "repeat", "next", "home", "stop"],
  article: ["back", "repeat", "next", "pause", "home", "stop"],
};

export function render(view, reply, same) {
  const before = document.activeElement;
  const hadQuestion = $$("#main .question").some(visible);
  keepPlace(view, reply, same);
  document.body.dataset.screen = view.screen;
  document.body.dataset.paused = String(paused());
  // A reply with a timed hold keeps its question, and all but Pause and Stop, until the hold is over.
  state.holding = !same && reply.timeline.some((item) => "hold" in item);
  document.documentElement.lang = reply.lang;
  // Screens without content of their own show the reply's text; so does a reply that keeps the screen.
  const prompted = same || ["home", "goodbye"].includes(view.screen) || view.paused || view.question === "resume";
  $("#prompt").textContent = prompted ? reply.display : "";
  $("#prompt").hidden = !prompted || !reply.display;
  if (!same) {
    for (const section of $$(".screen")) section.hidden = section.dataset.screen !== view.screen;
    $("#title").textContent = view.title || label("app_name");
    document.title = pageTitle(view);
    $("#skip-article").hidden = view.screen !== "home";
    if (!view.paused) RENDER[view.screen](view);  // paused: the steps and drawings stay, dimmed
    labelQuestion(view, reply.display);
  }
  showChoices(view);
  // A paused hold keeps its countdown; a resumed one shows where it goes on from.
  const resuming = reply.timeline.find((item) => item.hold?.from)?.hold;
  if (resuming) showCountdown(resuming.seconds - resuming.from);
  else if (!paused()) showCountdown(null);
  refocus(view, before, hadQuestion);
  announce(view, reply, same);
}

// An article section read to its end goes on to the next one by itself, as a DAISY player does,
// unless it was the last (or the kiosk has no voice: nothing was read). A press stops the reading
// and with it this (visit.js: only a timeline played to its end goes on).
export const readsOn = (reply) => page.speechOutput && reply.view.screen === "article"
  && Array.isArray(reply.view.paragraphs) && reply.view.section < reply.view.sections.length - 1;

/* Pause keeps the place the speech stopped at: in a routine the reply is the paused screen, in an
   article or topic it keeps the screen. Resume's reply then plays on from that place; any other
   reply that moves on forgets it. Spoken replies name their intent; pressed ones get it from visit.js. */
function keepPlace(view, reply, same) {
  const pausing = same
    ? reply.intent === "AMAZON.PauseIntent" && (NAV[view.screen] || []).includes("pause")
    : Boolean(view.paused);
  if (pausing) pause();
  else if (!same && reply.intent === "AMAZON.ResumeIntent") reply.timeline = resumed(reply.timeline);
  else if (!same) unpause();
}

// Once playback has passed the hold (or has been stopped), the question and the other buttons come back.
export function endHold() {
  if (!paused()) showCountdown(null);
  if (!state.holding) return;
  const before = document.activeElement;
  const hadQuestion = $$("#main .question").some(visible);
  state.holding = false;
  showChoices(state.view);
  refocus(state.view, before, hadQuestion);
}

// Focus moves on when its button has gone or a question has appeared, so that it is never lost.
function refocus(view, before, hadQuestion) {
  const questionIsNew = !hadQuestion && $$("#main .question").some(visible);
  const ours = $("#main").contains(before) || before === $("#skip-article");
  if (ours && (!visible(before) || questionIsNew)) primaryButton(view).focus();
}

function showChoices(view) {
  showQuestion(view);
  showNav(view);
}

function questionGroup(view) {
  return $(`.screen[data-screen="${view.screen}"] .question`);
}

function labelQuestion(view, display) {
  questionGroup(view)?.setAttribute("aria-label", display.split("\n").pop());  // the question is the last line
}

function showQuestion(view) {
  const group = questionGroup(view);
  if (group) group.hidden = !view.question || state.holding;
}

function showNav(view) {
  let shown = NAV[view.screen] || [];
  if (view.done || view.question === "resume") shown = ["repeat", "home", "stop"];
  if (state.holding) shown = shown.filter((name) => ["pause", "stop"].includes(name));
  $("#nav").hidden = shown.length === 0;
  for (const button of $$("#nav button")) button.hidden = !shown.includes(button.id.replace("btn-", ""));
  const resume = paused();
  const pauseButton = $("#btn-pause");
  pauseButton.dataset.intent = resume ? "AMAZON.ResumeIntent" : "AMAZON.PauseIntent";
  pauseButton.dataset.label = resume ? "resume" : "pause";
  pauseButton.textContent = label(pauseButton.dataset.label);
  pauseButton.classList.toggle("primary", resume);
  $("#btn-next").classList.toggle("primary", !resume);
}

// The choice that carries on: Pause during a hold, Yes to a question, else Resume, Next, Home, or
// the first menu button.
function primaryButton(view) {
  const screen = $(`.screen[data-screen="${view.screen}"]`);
  const choices = [state.holding && $("#btn-pause"), view.question && screen.querySelector(".yes"),
                   paused() && $("#btn-pause"),
                   $("#btn-next"), $("#btn-home"), $(".menu button"), $("#btn-repeat")];
  return choices.find(visible) || $("#title");
}

function renderRoutine(view) {
  const steps = view.steps || [];
  $("#steps").replaceChildren(...steps.map((step, i) => stepItem(step, view.index + i + 1, view.total)));
}

// A step: its drawing, "step N of M" and its short line; the doctor advice also in full, with the
// warning signs, as it is said.
function stepItem(step, number, total) {
  const item = element("li", "step");
  if (step.figure) item.append(figure(step.figure));
  item.append(element("span", "step-of", fill(label("step_of"), { n: number, total })),
              element("span", "step-text", step.show));
  if (step.kind === "doctor") item.append(element("p", "step-detail", step.say));
  return item;
}

// A drawing, named by what it shows (the step's text is beside it already).
function figure(id) {
  const svg = $(`#figure-${id}`).content.firstElementChild.cloneNode(true);
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", label(`figure_${id}`));
  return svg;
}

function renderTopic(view) {
  $("#topic-heading").textContent = view.heading;
  $("#topic-heading").hidden = view.heading === view.title;  // the summary: the title says it already
  $("#topic-body").replaceChildren(...view.body.map((text) => element("p", "", text)));
  fillList($("#topic-items"), view.items, view.item);
}

function renderArticle(view) {
  $("#article-heading").textContent = view.heading;
  $("#article-body").replaceChildren(...(view.paragraphs || []).map((text) => element("p", "", text)));
  const sources = view.sources || [];
  $("#article-sources").replaceChildren(...sources.map((text) => element("li", "", text)));
  $("#article-sources").hidden = sources.length === 0;
  fillSections($("#article-sections"), view.sections, view.section);
}

function fillList(list, titles, current) {
  list.replaceChildren(...titles.map((title, i) => {
    const item = element("li", "", title);
    if (i === current) item.setAttribute("aria-current", "step");
    return item;
  }));
}

// The article's sections as buttons that go to them (by number, GoToSectionIntent). The same
// sections are updated in place, so that the button just pressed keeps the focus.
function fillSections(list, titles, current) {
  if (JSON.stringify($$("button", list).map((button) => button.textContent)) !== JSON.stringify(titles)) {
    list.replaceChildren(...titles.map((title, i) => {
      const button = element("button", "", title);
      button.type = "button";
      button.dataset.intent = "GoToSectionIntent";
      button.dataset.section = String(i + 1);
      const item = element("li");
      item.append(button);
      return item;
    }));
  }
  $$("button", list).forEach((button, i) => {
    if (i === current) button.setAttribute("aria-current", "true");
    else button.removeAttribute("aria-current");
  });
}

function pageTitle(view) {
  const screen = view.title || (view.screen === "article" ? label("article") : "");
  return screen ? fill(label("page_title"), { app: label("app_name"), screen }) : label("app_name");
}

// Where the visitor is now, as the live region says it when the screen changes.
function whereNow(view) {
  const title = view.title || label("article");
  if (view.paused) return fill(label("screen_paused"), { title });
  if (view.screen === "routine") {
    return fill(label("screen_routine"), { title, n: view.index + 1, total: view.total });
  }
  if (view.screen === "topic" && view.item >= 0) {
    return fill(label("screen_point"), { title, n: view.item + 1, total: view.items.length, heading: view.heading });
  }
  if (view.screen === "topic") return title;
  if (view.screen === "article") {
    return fill(label("screen_article"), { title, n: view.section + 1, total: view.sections.length, heading: view.heading });
  }
  return label(view.screen === "goodbye" ? "screen_goodbye" : "screen_home");
}

// The live region says where the visitor is when the screen changes, never what the kiosk voice is
// saying (a screen reader would read it over the voice; the caption shows it). Without the voice
// (muted, or no speech on this kiosk) it says that too.
function announce(view, reply, same) {
  const voiceless = state.muted || !page.speechOutput;
  const text = [same ? "" : whereNow(view), voiceless ? reply.text : ""].filter(Boolean).join(" ");
  if (text) toLiveRegion(text);
}

// The region is emptied first so that a repeated text is read again.
function toLiveRegion(text) {
  const live = $("#live");
  live.textContent = "";
  setTimeout(() => { live.textContent = text; }, 100);
}

// A message from the server that is not a reply (such as "please wait"), shown and read out.
export function notice(text) {
  $("#prompt").textContent = text;
  $("#prompt").hidden = false;
  toLiveRegion(text);
}

export function relabel() {
  document.documentElement.lang = state.lang;
  for (const node of $$("[data-label]")) node.textContent = label(node.dataset.label);
  for (const button of $$(".lang")) {
    button.textContent = page.labels[button.dataset.lang].language_name;
    if (button.dataset.lang === state.lang) button.setAttribute("aria-current", "true");
    else button.removeAttribute("aria-current");
  }
  $("#btn-speak").hidden = !page.voiceInput.includes(state.lang);
  for (const node of $$("[data-needs-speech]")) node.hidden = !page.speechOutput;
  clearCaption();  // it was said in the other language
}

// The seconds left of a timed hold, in the words of the label ("1 second left" in the singular)
// with the number itself large; null hides it.
export function showCountdown(seconds) {
  const box = $("#countdown");
  const holding = seconds !== null;
  box.hidden = !holding;
  $("#steps li")?.classList.toggle("holding", holding);
  if (!holding) {
    delete box.dataset.left;
    return;
  }
  const left = String(Math.max(1, Math.ceil(seconds - 0.001)));  // the last second is "1" until the end
  if (box.dataset.left === left) return;
  box.dataset.left = left;
  const [before, after] = label(left === "1" ? "second_left" : "seconds_left").split("{seconds}");
  box.replaceChildren(before, element("span", "count-number", left), after);
}
