/* Buttons, keys and the other controls. Buttons with an intent only send it: what happens is the
   server's reply. Tab and Enter work as always; the keys below add an EZ Access style map, and N
   and P for the next and previous step or section as a DAISY player has them. */

import { api } from "./api.js";
import { $, $$, visible } from "./page.js";
import { replay, stopSpeech } from "./playback.js";
import { startRecording } from "./recorder.js";
import { relabel } from "./render.js";
import { pause, paused, pausedTimeline, resumed } from "./resume.js";
import { label, state } from "./state.js";
import { enqueue, keptLine, noteInput, say, sendIntent, sendSpeech, startVisit } from "./visit.js";

const player = $("#player");

function switchLanguage(lang) {
  if (lang === state.lang) return;
  state.lang = lang;
  relabel();
  stopSpeech();
  enqueue(() => startVisit());
}

function setMuted(muted) {
  state.muted = player.muted = muted;
  const button = $("#btn-mute");
  button.dataset.label = muted ? "unmute" : "mute";
  button.textContent = label(button.dataset.label);
}

function setVolume(volume) {
  state.volume = player.volume = Math.min(1, Math.max(0.2, Math.round(volume * 10) / 10));
  $("#volume-level").textContent = `${Math.round(state.volume * 100)}%`;
}

function setTextSize(size) {
  state.textSize = Math.min(4, Math.max(0, size));
  document.documentElement.dataset.textSize = state.textSize;
}

/* Help opened while a routine or the article is being said holds it where it is, a hold at its
   second, and closing Help goes on from there, as Pause and Resume would (resume.js): someone who
   looks up a key mid-stretch has not asked to stop. */
let helpPaused = false;

function openHelp() {
  if ($("#help").open) return;
  helpPaused = state.playing && !paused() && ["routine", "article"].includes(state.view.screen);
  stopSpeech(helpPaused);
  if (helpPaused) pause();  // after stopping, which notes the second the hold got to
  $("#help").showModal();
  // The server says the key help at the visit's rate; between visits (a routine's last screen) or
  // while the server is away, the page says it from its kept clip. Not once Help is closed.
  const kept = () => keptLine("help_keys");
  const spoken = state.session
    ? api.label(state.session, "help_keys").then((reply) => reply.timeline, kept)
    : Promise.resolve(kept());
  spoken.then((timeline) => { if ($("#help").open) say(timeline); });
}

// The server gives the whole part or section again and the page plays it on from the paused place;
// a visit that has ended (a routine's last screen) is played on here. Closing happens here, not on
// the dialog's close event: that comes a task later, after a key pressed meanwhile has been sent.
function closeHelp() {
  $("#help").close();
  const goOn = helpPaused && paused();  // not when a reply (the idle reset) came meanwhile
  stopSpeech(goOn);
  helpPaused = false;
  if (!goOn) return;
  if (state.session) enqueue(() => sendIntent("AMAZON.ResumeIntent"));
  else say(resumed(pausedTimeline()));
}

/* ---- Tap to speak ---- */

async function tapToSpeak() {
  if (state.stopRecording) return state.stopRecording();  // a second tap ends the recording early
  stopSpeech();
  try {
    state.stopRecording = await startRecording(() => setListening(true), (wav) => {
      state.stopRecording = null;
      setListening(false);
      enqueue(async () => sendSpeech(await wav));
    });
  } catch (error) {
    console.error(error);  // no microphone, or not allowed: the buttons still work
  }
}

// "Listening" shows once the microphone's sound is coming in.
function setListening(on) {
  const button = $("#btn-speak");
  button.dataset.listening = on;
  button.dataset.label = on ? "listening" : "speak";
  button.textContent = label(button.dataset.label);
}

const ACTIONS = {
  language: (button) => switchLanguage(button.dataset.lang),
  volume: (button) => setVolume(state.volume + 0.2 * Number(button.dataset.step)),
  "text-size": (button) => setTextSize(state.textSize + Number(button.dataset.step)),
  mute: () => setMuted(!state.muted),
  speak: () => tapToSpeak(),
  help: () => openHelp(),
  "close-help": () => closeHelp(),
};

// A button (or the skip link to the article) with an intent sends it; a section button says which.
// Repeat where the visit has ended (the last screen of a routine, goodbye) says it all again here.
function onClick(event) {
  const button = event.target.closest("button, a[data-intent]");
  if (!button) return;
  if (button.dataset.intent) {
    event.preventDefault();
    if (button === $("#btn-repeat") && !state.session && replay()) return;
    const { intent, section } = button.dataset;
    stopSpeech(true);  // during a hold, its question comes with the reply
    enqueue(() => sendIntent(intent, section ? { section } : {}));
  } else {
    ACTIONS[button.dataset.action]?.(button);
  }
}

/* ---- Keys ---- */

// Up and Down step through the choices of the current screen, round in a loop.
function moveFocus(step) {
  const choices = $$("#main button").filter(visible);
  if (choices.length === 0) return;
  const at = choices.indexOf(document.activeElement);
  const next = at < 0 ? (step > 0 ? 0 : choices.length - 1) : (at + step + choices.length) % choices.length;
  choices[next].focus();
}

// Back goes to the previous step, point or section where there is one, else home.
function goBack() {
  if (state.holding) return;  // a hold is left with Pause or Stop
  if (visible($("#btn-back"))) return $("#btn-back").click();
  if (state.view.screen === "home") return;
  stopSpeech();
  enqueue(() => sendIntent("AMAZON.NavigateHomeIntent"));
}

// Escape during a hold pauses it, as Pause does: the hold is kept, to resume where it stopped.
function hush() {
  if (!state.holding) return stopSpeech();
  stopSpeech(true);
  enqueue(() => sendIntent("AMAZON.PauseIntent"));
}

const pressShown = (selector) => () => { if (visible($(selector))) $(selector).click(); };

const KEYS = {
  ArrowDown: () => moveFocus(1),
  ArrowUp: () => moveFocus(-1),
  Backspace: goBack,
  n: pressShown("#btn-next"),
  N: pressShown("#btn-next"),
  p: pressShown("#btn-back"),
  P: pressShown("#btn-back"),
  h: openHelp,
  H: openHelp,
  "?": openHelp,
  F1: openHelp,
};

function onKey(event) {
  noteInput();
  if (event.ctrlKey || event.altKey || event.metaKey) return;
  if (event.key === "Escape" && $("#help").open) {
    event.preventDefault();  // closed here, not by the browser (closeHelp says why)
    return closeHelp();
  }
  if (event.key === "Escape") return hush();
  if ($("#help").open || !KEYS[event.key]) return;
  event.preventDefault();
  KEYS[event.key]();
}

export function listenForInput() {
  document.addEventListener("click", onClick);
  document.addEventListener("keydown", onKey);
  document.addEventListener("pointerdown", noteInput);
}
