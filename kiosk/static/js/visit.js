/* A visit: requests one at a time, each reply shown and said, and the reset for the next person.

   A press goes only to the visit it was meant for, and at most once. When the server no longer has
   the visit, or does not answer, the page says so itself, on screen and in speech (the status
   lines, STATUS_LINES in kiosk/web.py), and never sends the press again: in a new visit it could
   be taken as the answer to another question. */

import { PleaseWait, Unreachable, VisitEnded, api, clipUrl } from "./api.js";
import { $, page } from "./page.js";
import { play, stopSpeech } from "./playback.js";
import { endHold, notice, readsOn, render } from "./render.js";
import { label, state } from "./state.js";

const STATUS_CLIPS = JSON.parse($("#kiosk-status-clips").textContent);
const QUIET = new Set(["AMAZON.StopIntent", "AMAZON.CancelIntent"]);  // nothing is said after these
const WARN_AHEAD = Math.min(20, page.idleSeconds / 3);  // seconds from the "ends soon" notice to the reset
const RETRY_MS = [2000, 3000, 4000, 5000];  // then every 5 s while the server is away

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Requests go one at a time, in the order they were asked for. The promise is kept when this one is done.
export function enqueue(task) {
  state.requests = state.requests.then(task).catch(failed);
  return state.requests;
}

function failed(error) {
  if (error instanceof PleaseWait) notice(error.message);
  else if (error instanceof Unreachable) offline(!state.offline);
  else if (error instanceof VisitEnded) visitGone("visit_ended");
  else console.error(error);
}

export async function startVisit(reason = "") {
  state.starting = reason;  // until it has started: when the server is back, the page starts it then
  state.session = null;
  state.touched = false;
  const reply = await api.start(state.lang, reason);
  state.starting = state.gone = null;
  show(reply, true);
  keepStatusClips();
}

// `details`: what the intent needs besides, such as the section a section button goes to. The reply
// names the intent it answers, as a spoken one does (render.js tells Pause and Resume by it).
export function sendIntent(intent, details = {}) {
  const request = async (session, turn) => ({ intent, ...(await api.intent(session, turn, intent, details)) });
  return send(request, !QUIET.has(intent));
}

export function sendSpeech(wav) {
  return send((session, turn) => api.listen(session, turn, wav));
}

/* A visit still at its start is the same as a new one: when the server has forgotten it (or none
   has started yet), the press goes to a new visit and means the same there. Any other visit that
   is gone is said to be over, and the press goes nowhere. */
async function send(request, speak = true) {
  if (state.gone) return visitGone(state.gone);
  try {
    if (!state.session) await beginQuietly();
    show(await request(state.session, state.turn));
  } catch (error) {
    if (error instanceof Unreachable) return offline(speak);
    if (!(error instanceof VisitEnded)) throw error;
    if (!state.fresh) return visitGone(state.offline ? "visit_lost" : "visit_ended");
    await beginQuietly();
    show(await request(state.session, state.turn));
  }
}

// A new visit, neither shown nor said: the press it is started for is its first.
async function beginQuietly() {
  state.session = null;
  const reply = await api.start(state.lang);
  state.session = reply.session;
  state.turn = reply.turn;
}

function show(reply, fresh = false) {
  if (reply.lang !== state.lang) return;  // the language was switched meanwhile: speak only the shown one
  state.session = reply.end ? null : reply.session;
  state.turn = reply.turn;
  state.fresh = fresh;
  state.offline = false;
  setStatus(null);
  const same = reply.view.screen === "same";
  if (!same) state.view = reply.view;
  render(state.view, reply, same);
  say(reply.timeline).then((done) => {
    // After goodbye, home for the next person. A routine's last screen (the doctor advice) stays to be
    // read and repeated; the next press starts a new visit, or the idle time brings the page home.
    if (reply.end && !state.session && reply.view.screen === "goodbye") enqueue(() => startVisit());
    else if (done && readsOn(reply)) enqueue(() => sendIntent("AMAZON.NextIntent"));  // the next section
  });
}

/* ---- When the visit is gone, or the server does not answer ---- */

// The server no longer has the visit: the page says so and offers Start over. Until then no press
// is sent; left alone, the page goes back to the start after the idle time, as always.
function visitGone(key) {
  state.offline = false;
  state.gone = key;
  state.session = null;
  endHold();
  setStatus(key, true).then(() => { if (!state.playing) armIdle(); });
  $("#btn-start-over").focus();
}

// The server is not answering. The page says so (not after Stop: that press asked for quiet),
// brings back the choices a hold had put away, and quietly tries again until it answers.
function offline(speak) {
  endHold();
  setStatus("offline", speak);
  if (state.offline) return;
  state.offline = true;
  retry();  // not waited for: the tries take their turn in the queue, after this request
}

async function retry() {
  for (let tries = 0; state.offline; tries++) {
    await sleep(RETRY_MS[Math.min(tries, RETRY_MS.length - 1)]);
    if (state.offline) await enqueue(recover);
  }
}

// One try while the server is away. Once it answers: a start that did not get through is made, and
// a visit goes on if the server still has it as the page left it; else the page offers to start over.
async function recover() {
  try {
    if (state.starting !== null) return await startVisit(state.starting);
    if (!state.session) return await startVisit();
    await api.touch(state.session, state.turn);
  } catch (error) {
    if (error instanceof Unreachable) return;  // still away: the next try comes
    if (!(error instanceof VisitEnded)) throw error;
    return state.fresh ? startVisit() : visitGone("visit_lost");
  }
  state.offline = false;
  setStatus("online", true);
  armIdle();
}

// A status line on screen, in a live region, and said when asked and its clip is at hand.
function setStatus(key, speak = false) {
  const status = $("#status");
  status.hidden = !key;
  status.textContent = key ? label(key) : "";
  if (key) status.dataset.label = key;  // a language switch relabels it
  else delete status.dataset.label;
  $("#btn-start-over").hidden = !state.gone;
  const line = speak && key ? keptLine(key) : [];
  return line.length ? play(line) : Promise.resolve(false);
}

// A line whose clip the page keeps (kiosk/prerender.py's STATUS_LINES): its timeline, empty without a clip.
export function keptLine(key) {
  const clip = STATUS_CLIPS[state.lang]?.[key];
  return clip ? [{ say: label(key), clip }] : [];
}

// The status lines' clips are fetched while the server answers, to be said also when it does not.
async function keepStatusClips() {
  for (const clip of Object.values(STATUS_CLIPS[state.lang] ?? {})) {
    if (!clip || state.kept.has(clip)) continue;
    try {
      const response = await fetch(clipUrl(clip));
      if (!response.ok) return;
      state.kept.set(clip, URL.createObjectURL(await response.blob()));
      state.fetched.add(clip);  // never fetched ahead from the server again
    } catch {
      return;  // the server is away: tried again after the next start
    }
  }
}

/* ---- Idle: a visit left alone goes back to the start for the next person ----
   The page counts the idle time as the server does: from when the last reply has been said. Shortly
   before the reset it says that the visit ends soon; any input then keeps the visit. */

// While something is said the idle time waits; it starts when the speech ends or is stopped.
// True when the timeline was played to the end.
export async function say(timeline) {
  clearIdle();
  const done = await play(timeline);
  if (!state.playing) armIdle();  // not when another timeline has taken over
  return done;
}

export function noteInput() {
  state.touched = true;
  if (state.warned) {
    state.warned = false;
    enqueue(keepVisit);
  } else if (!state.idleTimer && !state.playing) {
    armIdle();
  }
}

// Input after the "ends soon" notice: the server hears that the visitor is still here.
async function keepVisit() {
  if (!state.session) return armIdle();
  try {
    await api.touch(state.session, state.turn);
  } catch (error) {
    if (!(error instanceof VisitEnded)) throw error;
    return state.fresh ? startVisit() : visitGone("visit_ended");
  }
  if (!state.warned) setStatus(null);
  armIdle();
}

function armIdle() {
  clearIdle();
  if (!state.touched) return;
  state.warnTimer = setTimeout(warnIdle, (page.idleSeconds - WARN_AHEAD) * 1000);
  state.idleTimer = setTimeout(goIdle, page.idleSeconds * 1000);
}

function clearIdle() {
  clearTimeout(state.warnTimer);
  clearTimeout(state.idleTimer);
  state.warnTimer = state.idleTimer = 0;
}

function warnIdle() {
  if (state.offline || state.gone) return;  // the page already says what matters now
  state.warned = true;
  setStatus("idle_warning", true);
}

function goIdle() {
  clearIdle();
  state.warned = false;
  if ($("#help").open) $("#help").close();
  stopSpeech();
  enqueue(() => startVisit("idle"));
}
