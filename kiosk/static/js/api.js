/* The kiosk API, at the addresses the page gives. No conversation logic: intents go in, replies come out. */

import { page } from "./page.js";
import { state } from "./state.js";

const TOUCH = document.body.dataset.apiTouch;
const WAIT_MS = 15000;  // a request with no answer by then is taken as the server not answering

// The server no longer has the visit (ended, idle too long, restarted), or the press answers a
// reply the page never got.
export class VisitEnded extends Error {}

// The server asks the page to wait (too many new visits just now); its message is shown and read.
export class PleaseWait extends Error {}

// The server is not answering: no connection, no answer in time, or a server error. The request
// may or may not have reached it, so it is never sent again.
export class Unreachable extends Error {}

async function post(url, body, type = "application/json", headers = {}) {
  let response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": type, ...headers },
      body: type === "application/json" ? JSON.stringify(body) : body,
      signal: AbortSignal.timeout(WAIT_MS),
    });
  } catch (error) {
    throw new Unreachable(error.message);
  }
  if (response.status >= 500) throw new Unreachable(`${url} answered ${response.status}`);
  if (response.status === 409) throw new VisitEnded();
  if (response.status === 429) throw new PleaseWait((await response.json()).error);
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  return response.json().catch((error) => { throw new Unreachable(error.message); });
}

// The page's time scale goes with a new visit, so that the server counts each reply's playing time
// as the page plays it.
const visitHeaders = { "X-Kiosk-Timescale": String(page.timescale) };

export const api = {
  start: (lang, reason) => post(page.api.start, reason ? { lang, reason } : { lang }, "application/json", visitHeaders),
  intent: (session, turn, intent, details = {}) => post(page.api.intent, { ...details, session, turn, intent }),
  listen: (session, turn, wav) =>
    post(`${page.api.listen}?session=${encodeURIComponent(session)}&turn=${turn}`, wav, "audio/wav"),
  label: (session, key) => post(page.api.label, { session, key }),  // a kiosk label as speech
  touch: (session, turn) => post(TOUCH, { session, turn }),  // the visitor is still here
};

export const clipUrl = (clip) => state.kept.get(clip) ?? page.api.audio.replace("CLIP", clip);
