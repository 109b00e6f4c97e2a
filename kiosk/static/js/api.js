/* The kiosk API, at the addresses the page gives. No conversation logic: intents go in, replies come out. */

import { page } from "./page.js";

// The server has forgotten the visit (ended, or idle too long).
export class VisitEnded extends Error {}

// The server asks the page to wait (too many new visits just now); its message is shown and read.
export class PleaseWait extends Error {}

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

export const api = {
  start: (lang, reason) => post(page.api.start, reason ? { lang, reason } : { lang }),
  intent: (session, intent) => post(page.api.intent, { session, intent }),
  listen: (session, wav) => post(`${page.api.listen}?session=${encodeURIComponent(session)}`, wav, "audio/wav"),
  label: (session, key) => post(page.api.label, { session, key }),  // a kiosk label as speech
};

export const clipUrl = (clip) => page.api.audio.replace("CLIP", clip);
