/* A visit: requests one at a time, each reply shown and said, and the reset for the next person. */

import { PleaseWait, VisitEnded, api } from "./api.js";
import { $, page } from "./page.js";
import { play, stopSpeech } from "./playback.js";
import { notice, render } from "./render.js";
import { state } from "./state.js";

// Requests go one at a time, in the order they were asked for.
export function enqueue(task) {
  state.requests = state.requests.then(task).catch((error) => {
    if (error instanceof PleaseWait) notice(error.message);
    else console.error(error);
  });
}

export async function startVisit(reason) {
  state.touched = false;
  show(await api.start(state.lang, reason));
}

// A visit the server has already forgotten is started again quietly and the intent sent once
// more, so that no press is lost.
export async function sendIntent(intent) {
  try {
    if (!state.session) throw new VisitEnded();
    show(await api.intent(state.session, intent));
  } catch (error) {
    if (!(error instanceof VisitEnded)) throw error;
    state.session = (await api.start(state.lang)).session;
    show(await api.intent(state.session, intent));
  }
}

export async function sendSpeech(wav) {
  try {
    show(await api.listen(state.session, wav));
  } catch (error) {
    if (!(error instanceof VisitEnded)) throw error;
    await startVisit();
  }
}

function show(reply) {
  if (reply.lang !== state.lang) return;  // the language was switched meanwhile: speak only the shown one
  state.session = reply.end ? null : reply.session;
  const same = reply.view.screen === "same";
  if (!same) state.view = reply.view;
  render(state.view, reply, same);
  say(reply.timeline).then(() => {
    if (reply.end && !state.session) enqueue(() => startVisit());  // back home for the next person
  });
}

// Once everything has been said, the visit may time out.
export async function say(timeline) {
  if (await play(timeline)) armIdle();
}

/* ---- Idle: a visit left alone goes back to the start for the next person ---- */

export function noteInput() {
  state.touched = true;
  armIdle();
}

function armIdle() {
  clearTimeout(state.idleTimer);
  if (state.touched) state.idleTimer = setTimeout(goIdle, page.idleSeconds * 1000);
}

function goIdle() {
  if (state.playing) return armIdle();  // someone may be listening
  if ($("#help").open) $("#help").close();
  stopSpeech();
  enqueue(() => startVisit("idle"));
}
