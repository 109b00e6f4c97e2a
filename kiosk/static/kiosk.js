/* Cramp Coach kiosk page: shows the engine's replies and plays their timelines.

   There is no conversation logic here: buttons and keys only send intents, and each reply's
   `view` says what to show. There are no words here either: labels come from the JSON block in
   the page, and everything said or shown about cramps comes from the API.

   Test mode: /kiosk?fast=1 shortens every pause to 50 ms and cuts every clip off once it plays,
   so that automated tests need not wait through real 30-second holds. */
"use strict";

const $ = (selector, root = document) => root.querySelector(selector);
const $$ = (selector, root = document) => [...root.querySelectorAll(selector)];

const page = document.body.dataset;
const LABELS = JSON.parse($("#kiosk-labels").textContent);
const VOICE_INPUT = page.voiceInput.split(" ").filter(Boolean);
const FAST = new URLSearchParams(location.search).get("fast") === "1";
const LISTEN_MS = 4000;        // the longest recording
const WAV_RATE = 16000;
const MAX_SAMPLES = 160000;    // 10 s: the most the server takes for one recording
const player = $("#player");

const kiosk = {
  lang: page.lang,
  session: null,
  view: { screen: "home" },
  muted: false,
  volume: 1,
  textSize: 0,
  touched: false,  // input since this visit began: only then can the visit time out
};

const label = (key) => LABELS[kiosk.lang][key];
const fill = (template, values) => template.replace(/\{(\w+)\}/g, (_, name) => values[name]);
const visible = (element) => Boolean(element) && element.checkVisibility();

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/* ---- The API ---- */

class VisitEnded extends Error {}

// The server asks the page to wait (too many new visits just now); its message is shown and read.
class PleaseWait extends Error {}

async function post(url, body, type = "application/json") {
  const response = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": type },
    body: type === "application/json" ? JSON.stringify(body) : body,
  });
  if (response.status === 409) throw new VisitEnded();
  if (response.status === 429) throw new PleaseWait((await response.json()).error);
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  return response.json();
}

// Requests go one at a time, in the order they were asked for.
let queue = Promise.resolve();
function enqueue(task) {
  queue = queue.then(task).catch((error) => {
    if (error instanceof PleaseWait) notice(error.message);
    else console.error(error);
  });
}

function notice(text) {
  $("#prompt").textContent = text;
  $("#prompt").hidden = false;
  toLiveRegion(text);
}

async function startVisit(reason) {
  kiosk.touched = false;
  show(await post(page.apiStart, reason ? { lang: kiosk.lang, reason } : { lang: kiosk.lang }));
}

// A visit the server has already forgotten is started again quietly and the intent sent once
// more, so that no press is lost.
async function sendIntent(intent) {
  try {
    if (!kiosk.session) throw new VisitEnded();
    show(await post(page.apiIntent, { session: kiosk.session, intent }));
  } catch (error) {
    if (!(error instanceof VisitEnded)) throw error;
    kiosk.session = (await post(page.apiStart, { lang: kiosk.lang })).session;
    show(await post(page.apiIntent, { session: kiosk.session, intent }));
  }
}

async function sendSpeech(wav) {
  try {
    show(await post(`${page.apiListen}?session=${encodeURIComponent(kiosk.session)}`, wav, "audio/wav"));
  } catch (error) {
    if (!(error instanceof VisitEnded)) throw error;
    await startVisit();
  }
}

function show(reply) {
  if (reply.lang !== kiosk.lang) return;  // the language was switched meanwhile: speak only the shown one
  kiosk.session = reply.end ? null : reply.session;
  const same = reply.view.screen === "same";
  if (!same) kiosk.view = reply.view;
  render(kiosk.view, reply, same);
  announce(reply);
  play(reply.timeline, kiosk.view).then(() => {
    if (reply.end && !kiosk.session) enqueue(() => startVisit());  // back home for the next person
  });
}

/* ---- Rendering ---- */

const RENDER = { home() {}, goodbye() {}, routine: renderRoutine, topic: renderTopic, article: renderArticle };
const NAV = {
  routine: ["back", "repeat", "next", "pause", "home", "stop"],
  topic: ["back", "repeat", "next", "home", "stop"],
  article: ["back", "repeat", "next", "home", "stop"],
};

function render(view, reply, same) {
  const before = document.activeElement;
  page.screen = view.screen;
  const hadQuestion = $$("#main .question").some(visible);
  document.documentElement.lang = reply.lang;
  // Screens without content of their own show the reply's text; so does a reply that keeps the screen.
  const prompted = same || ["home", "goodbye"].includes(view.screen) || view.paused || view.question === "resume";
  $("#prompt").textContent = prompted ? reply.display : "";
  $("#prompt").hidden = !prompted || !reply.display;
  if (!same) {
    for (const section of $$(".screen")) section.hidden = section.dataset.screen !== view.screen;
    $("#title").textContent = view.title || label("app_name");
    RENDER[view.screen](view);
    showQuestion(view, reply.display);
    showNav(view);
  }
  const questionIsNew = !hadQuestion && Boolean(view.question);
  if ($("#main").contains(before) && (!visible(before) || questionIsNew)) primaryButton(view).focus();
}

function showQuestion(view, display) {
  const group = $(`.screen[data-screen="${view.screen}"] .question`);
  if (!group) return;
  group.hidden = !view.question;
  group.setAttribute("aria-label", display.split("\n").pop());  // the question is the last line
}

function showNav(view) {
  let shown = NAV[view.screen] || [];
  if (view.done || view.question === "resume") shown = ["home", "stop"];
  $("#nav").hidden = shown.length === 0;
  for (const button of $$("#nav button")) button.hidden = !shown.includes(button.id.replace("btn-", ""));
  const pause = $("#btn-pause");
  pause.dataset.intent = view.paused ? "AMAZON.ResumeIntent" : "AMAZON.PauseIntent";
  pause.dataset.label = view.paused ? "resume" : "pause";
  pause.textContent = label(pause.dataset.label);
  pause.classList.toggle("primary", Boolean(view.paused));
  $("#btn-next").classList.toggle("primary", !view.paused);
}

// The choice that carries on: Yes to a question, else Resume, Next, Home, or the first menu button.
function primaryButton(view) {
  const screen = $(`.screen[data-screen="${view.screen}"]`);
  const choices = [view.question && screen.querySelector(".yes"), view.paused && $("#btn-pause"),
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
// that is said. The region is emptied first so that a repeated text is read again.
function announce(reply) {
  toLiveRegion(["routine", "topic", "article"].includes(reply.view.screen) ? reply.display : reply.text);
}

function toLiveRegion(text) {
  const live = $("#live");
  live.textContent = "";
  setTimeout(() => { live.textContent = text; }, 100);
}

function relabel() {
  document.documentElement.lang = kiosk.lang;
  for (const node of $$("[data-label]")) node.textContent = label(node.dataset.label);
  for (const button of $$(".lang")) {
    button.textContent = LABELS[button.dataset.lang].language_name;
    if (button.dataset.lang === kiosk.lang) button.setAttribute("aria-current", "true");
    else button.removeAttribute("aria-current");
  }
  $("#btn-speak").hidden = !VOICE_INPUT.includes(kiosk.lang);
  for (const node of $$("[data-needs-speech]")) node.hidden = page.speechOutput !== "true";
}

/* ---- Speech: a timeline of clips and pauses, played in order ---- */

let playback = 0;           // raised by every stop; a timeline plays only while it holds its number
let interrupt = () => {};   // ends the current clip or pause at once
const fetched = new Set();

function stopSpeech() {
  playback += 1;
  interrupt();
  window.speechSynthesis?.cancel();
  showCountdown(null);
  page.playing = "false";
}

async function play(timeline, view) {
  stopSpeech();
  const mine = playback;
  if (view.screen === "routine" && view.steps?.[0]?.kind === "hold") markHold(timeline, view.steps[0].hold);
  prefetch(timeline, mine);
  page.playing = "true";
  for (const item of timeline) {
    if (mine !== playback) return;
    showCountdown(item.from);
    if ("pause" in item) await pause(item);
    else if (item.clip) await speak(item.clip);
  }
  if (mine !== playback) return;
  showCountdown(null);
  page.playing = "false";
  armIdle();
}

const clipUrl = (clip) => page.apiAudio.replace("CLIP", clip);

// Clips are fetched ahead, one by one, so each is rendered and cached before its turn comes.
async function prefetch(timeline, mine) {
  for (const { clip } of timeline) {
    if (mine !== playback) return;
    if (!clip || fetched.has(clip)) continue;
    fetched.add(clip);
    await fetch(clipUrl(clip)).then((response) => response.blob()).catch(() => fetched.delete(clip));
  }
}

function speak(clip) {
  return new Promise((resolve) => {
    let finished = false;
    let guard = setTimeout(done, 20000);  // a clip that never loads must not stall the visit
    function done() {
      if (finished) return;
      finished = true;
      clearTimeout(guard);
      player.onended = player.onerror = player.onloadedmetadata = player.onplaying = null;
      player.pause();
      resolve();
    }
    player.onended = player.onerror = done;
    if (FAST) player.onplaying = done;
    player.onloadedmetadata = () => {
      clearTimeout(guard);
      guard = setTimeout(done, (player.duration / player.playbackRate + 3) * 1000);
    };
    interrupt = done;
    player.src = clipUrl(clip);
    player.play().catch(done);  // e.g. autoplay refused: the text stays on screen
  });
}

function pause(item) {
  const ms = FAST ? 50 : item.pause * 1000;
  return new Promise((resolve) => {
    const began = performance.now();
    const tick = item.from === undefined ? 0 : setInterval(() => {
      const part = Math.min(1, (performance.now() - began) / ms);
      showCountdown(item.from - (item.from - item.to) * part);
    }, 100);
    const done = () => { clearTimeout(timer); clearInterval(tick); resolve(); };
    const timer = setTimeout(done, ms);
    interrupt = done;
  });
}

// Marks the timeline of a timed hold with the seconds left: `from` as each item starts and, on
// pauses, `to` as it ends. It works back from each spoken "1": skill/holds.py counts the last
// seconds aloud one per second, and the pauses before them make up the rest of the hold.
function markHold(timeline, hold) {
  const counted = (item) => /^\d+$/.test(item?.say ?? "");
  timeline.forEach((last, end) => {
    if (last.say !== "1") return;
    let left = 0;
    for (let i = Math.min(end + 1, timeline.length - 1); i >= 0 && left < hold; i--) {
      const item = timeline[i];
      if ("pause" in item) {
        item.to = left;
        left = counted(timeline[i - 1]) ? Number(timeline[i - 1].say) : left + item.pause;
      } else if (counted(item)) {
        left = Number(item.say);
      }
      item.from = left;
    }
  });
}

// The seconds left, in the words of the label, with the number itself large.
function showCountdown(seconds) {
  const box = $("#countdown");
  const holding = seconds !== undefined && seconds !== null;
  box.hidden = !holding;
  $("#steps li")?.classList.toggle("holding", holding);
  const left = holding ? String(Math.max(0, Math.ceil(seconds - 0.001))) : "";
  if (!holding || box.dataset.left === left) return;
  box.dataset.left = left;
  const [before, after] = label("seconds_left").split("{seconds}");
  box.replaceChildren(before, element("span", "count-number", left), after);
}

/* ---- Controls ---- */

function switchLanguage(lang) {
  if (lang === kiosk.lang) return;
  kiosk.lang = lang;
  relabel();
  stopSpeech();
  enqueue(() => startVisit());
}

function setMuted(muted) {
  kiosk.muted = player.muted = muted;
  const button = $("#btn-mute");
  button.dataset.label = muted ? "unmute" : "mute";
  button.textContent = label(button.dataset.label);
  if (muted) window.speechSynthesis?.cancel();
}

function setVolume(volume) {
  kiosk.volume = player.volume = Math.min(1, Math.max(0.2, Math.round(volume * 10) / 10));
  $("#volume-level").textContent = `${Math.round(kiosk.volume * 100)}%`;
}

function setTextSize(size) {
  kiosk.textSize = Math.min(4, Math.max(0, size));
  document.documentElement.dataset.textSize = kiosk.textSize;
}

function openHelp() {
  stopSpeech();
  if (!$("#help").open) $("#help").showModal();
  // The server speaks the key help in the page's language, like any reply.
  post("/api/kiosk/label", { session: kiosk.session, key: "help_keys" })
    .then((spoken) => play(spoken.timeline, { screen: "same" }))
    .catch(() => {});  // the dialog shows the same words
}

const ACTIONS = {
  language: (button) => switchLanguage(button.dataset.lang),
  volume: (button) => setVolume(kiosk.volume + 0.2 * Number(button.dataset.step)),
  "text-size": (button) => setTextSize(kiosk.textSize + Number(button.dataset.step)),
  mute: () => setMuted(!kiosk.muted),
  speak: () => listen(),
  help: () => openHelp(),
  "close-help": () => $("#help").close(),
};

function onClick(event) {
  const button = event.target.closest("button");
  if (!button) return;
  if (button.dataset.intent) {
    stopSpeech();
    enqueue(() => sendIntent(button.dataset.intent));
  } else {
    ACTIONS[button.dataset.action]?.(button);
  }
}

/* ---- Keys: Tab and Enter work as always; these add an EZ Access style map ---- */

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
  if (visible($("#btn-back"))) return $("#btn-back").click();
  if (kiosk.view.screen === "home") return;
  stopSpeech();
  enqueue(() => sendIntent("AMAZON.NavigateHomeIntent"));
}

const KEYS = {
  ArrowDown: () => moveFocus(1),
  ArrowUp: () => moveFocus(-1),
  Backspace: goBack,
  h: openHelp,
  H: openHelp,
  "?": openHelp,
  F1: openHelp,
};

function onKey(event) {
  noteInput();
  if (event.ctrlKey || event.altKey || event.metaKey) return;
  if (event.key === "Escape") return stopSpeech();  // in the help dialog, the browser also closes it
  if ($("#help").open || !KEYS[event.key]) return;
  event.preventDefault();
  KEYS[event.key]();
}

/* ---- Idle: a visit left alone goes back to the start for the next person ---- */

let idleTimer = 0;

function noteInput() {
  kiosk.touched = true;
  armIdle();
}

function armIdle() {
  clearTimeout(idleTimer);
  if (kiosk.touched) idleTimer = setTimeout(goIdle, Number(page.idleSeconds) * 1000);
}

function goIdle() {
  if (page.playing === "true") return armIdle();  // someone may be listening
  if ($("#help").open) $("#help").close();
  stopSpeech();
  enqueue(() => startVisit("idle"));
}

/* ---- Tap to speak: record, make a 16 kHz mono 16-bit WAV, send it ---- */

let recorder = null;

async function listen() {
  if (recorder) return recorder.stop();  // a second tap ends the recording early
  stopSpeech();
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ audio: true });
  } catch (error) {
    return console.error(error);  // no microphone, or not allowed: the buttons still work
  }
  const chunks = [];
  const rec = recorder = new MediaRecorder(stream);
  rec.ondataavailable = (event) => chunks.push(event.data);
  rec.onstop = async () => {
    stream.getTracks().forEach((track) => track.stop());
    recorder = null;
    setListening(false);
    const wav = await toWav(new Blob(chunks, { type: rec.mimeType }));
    enqueue(() => sendSpeech(wav));
  };
  rec.start();
  setListening(true);
  setTimeout(() => rec.state === "recording" && rec.stop(), LISTEN_MS);
}

function setListening(on) {
  const button = $("#btn-speak");
  button.dataset.listening = on;
  button.dataset.label = on ? "listening" : "speak";
  button.textContent = label(button.dataset.label);
}

// Decoding into a 16 kHz audio context resamples the recording.
async function toWav(blob) {
  const context = new OfflineAudioContext(1, 1, WAV_RATE);
  const audio = await context.decodeAudioData(await blob.arrayBuffer());
  const samples = keepSound(mixDown(audio));
  const view = new DataView(new ArrayBuffer(44 + samples.length * 2));
  const ascii = (offset, text) => [...text].forEach((c, i) => view.setUint8(offset + i, c.charCodeAt(0)));
  ascii(0, "RIFF");
  view.setUint32(4, 36 + samples.length * 2, true);
  ascii(8, "WAVE");
  ascii(12, "fmt ");
  view.setUint32(16, 16, true);           // size of the format block
  view.setUint16(20, 1, true);            // PCM
  view.setUint16(22, 1, true);            // mono
  view.setUint32(24, WAV_RATE, true);
  view.setUint32(28, WAV_RATE * 2, true); // bytes per second
  view.setUint16(32, 2, true);            // bytes per frame
  view.setUint16(34, 16, true);           // bits per sample
  ascii(36, "data");
  view.setUint32(40, samples.length * 2, true);
  samples.forEach((s, i) => view.setInt16(44 + i * 2, Math.max(-1, Math.min(1, s)) * 0x7fff, true));
  return view.buffer;
}

function mixDown(audio) {
  const mono = new Float32Array(audio.length);
  for (let c = 0; c < audio.numberOfChannels; c++) {
    audio.getChannelData(c).forEach((s, i) => { mono[i] += s / audio.numberOfChannels; });
  }
  return mono;
}

// The server takes about 2 s of audio, so keep the part with sound in it, from a little before
// the first loud 20 ms to a little after the last.
function keepSound(samples) {
  const frame = WAV_RATE / 50;
  const levels = [];
  for (let i = 0; i < samples.length; i += frame) {
    const part = samples.subarray(i, i + frame);
    levels.push(Math.sqrt(part.reduce((sum, s) => sum + s * s, 0) / part.length));
  }
  const threshold = Math.max(0.01, Math.max(0, ...levels) * 0.1);
  const first = Math.max(0, levels.findIndex((level) => level >= threshold) - 10);
  const last = levels.findLastIndex((level) => level >= threshold) + 15;
  const start = first * frame;
  return samples.subarray(start, Math.min(last * frame, start + MAX_SAMPLES));
}

/* ---- Start ---- */

relabel();
document.addEventListener("click", onClick);
document.addEventListener("keydown", onKey);
document.addEventListener("pointerdown", noteInput);
$("#help").addEventListener("close", () => stopSpeech());
enqueue(() => startVisit());
