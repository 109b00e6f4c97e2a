/* What the screen shows: each reply's `view`, the labels in the page's language, the countdown. */

import { $, $$, page, visible } from "./page.js";
import { label, state } from "./state.js";

const fill = (template, values) => template.replace(/\{(\w+)\}/g, (_, name) => values[name]);

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

const RENDER = { home() {}, goodbye() {}, routine: renderRoutine, topic: renderTopic, article: renderArticle };
const NAV = {
  routine: ["back", "repeat", "next", "pause", "home", "stop"],
  topic: ["back", "repeat", "next", "home", "stop"],
  article: ["back", "repeat", "next", "home", "stop"],
};

export function render(view, reply, same) {
  const before = document.activeElement;
  document.body.dataset.screen = view.screen;
  const hadQuestion = $$("#main .question").some(visible);
  const wasHolding = state.holding;
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
    RENDER[view.screen](view);
    labelQuestion(view, reply.display);
    showChoices(view);
  } else if (wasHolding) {
    showChoices(view);
  }
  refocus(view, before, hadQuestion);
  announce(reply);
}

// Once playback has passed the hold (or has been stopped), the question and the other buttons come back.
export function endHold() {
  if (!state.holding) return;
  const before = document.activeElement;
  const hadQuestion = $$("#main .question").some(visible);
  state.holding = false;
  showChoices(state.view);
  refocus(state.view, before, hadQuestion);
}

// Focus in the main area moves on when its button has gone or a question has appeared.
function refocus(view, before, hadQuestion) {
  const questionIsNew = !hadQuestion && $$("#main .question").some(visible);
  if ($("#main").contains(before) && (!visible(before) || questionIsNew)) primaryButton(view).focus();
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
  if (view.done || view.question === "resume") shown = ["home", "stop"];
  if (state.holding) shown = shown.filter((name) => ["pause", "stop"].includes(name));
  $("#nav").hidden = shown.length === 0;
  for (const button of $$("#nav button")) button.hidden = !shown.includes(button.id.replace("btn-", ""));
  const pause = $("#btn-pause");
  pause.dataset.intent = view.paused ? "AMAZON.ResumeIntent" : "AMAZON.PauseIntent";
  pause.dataset.label = view.paused ? "resume" : "pause";
  pause.textContent = label(pause.dataset.label);
  pause.classList.toggle("primary", Boolean(view.paused));
  $("#btn-next").classList.toggle("primary", !view.paused);
}

// The choice that carries on: Pause during a hold, Yes to a question, else Resume, Next, Home, or
// the first menu button.
function primaryButton(view) {
  const screen = $(`.screen[data-screen="${view.screen}"]`);
  const choices = [state.holding && $("#btn-pause"), view.question && screen.querySelector(".yes"),
                   view.paused && $("#btn-pause"),
                   $("#btn-next"), $("#btn-home"), $(".menu button")];
  return choices.find(visible) || $("#title");
}

function renderRoutine(view) {
  const steps = view.steps || [];
  $("#steps").replaceChildren(...steps.map((step, i) => stepItem(step, view.index + i + 1, view.total)));
  showCountdown(null);
}

function stepItem(step, number, total) {
  const item = element("li", "step");
  if (step.figure) item.append(figure(step.figure, step.show));
  item.append(element("span", "step-of", fill(label("step_of"), { n: number, total })),
              element("span", "step-text", step.show));
  return item;
}

function figure(id, text) {
  const svg = $(`#figure-${id}`).content.firstElementChild.cloneNode(true);
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", text);
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
  fillList($("#article-sections"), view.sections, view.section);
}

function fillList(list, titles, current) {
  list.replaceChildren(...titles.map((title, i) => {
    const item = element("li", "", title);
    if (i === current) item.setAttribute("aria-current", "step");
    return item;
  }));
}

// Screen readers hear the new steps (or the new point or section heading) once; elsewhere all
// that is said.
function announce(reply) {
  toLiveRegion(["routine", "topic", "article"].includes(reply.view.screen) ? reply.display : reply.text);
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
}

// The seconds left of a timed hold, in the words of the label with the number itself large;
// null hides it.
export function showCountdown(seconds) {
  const box = $("#countdown");
  const holding = seconds !== null;
  box.hidden = !holding;
  $("#steps li")?.classList.toggle("holding", holding);
  const left = holding ? String(Math.max(0, Math.ceil(seconds - 0.001))) : "";
  if (!holding || box.dataset.left === left) return;
  box.dataset.left = left;
  const [before, after] = label("seconds_left").split("{seconds}");
  box.replaceChildren(before, element("span", "count-number", left), after);
}
