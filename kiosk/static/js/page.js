/* What the page tells the script (kiosk.html): labels, addresses, settings. Nothing here changes. */

export const $ = (selector, root = document) => root.querySelector(selector);
export const $$ = (selector, root = document) => [...root.querySelectorAll(selector)];
export const visible = (node) => Boolean(node) && node.checkVisibility();

const data = document.body.dataset;

// ?timescale=0.01 makes the page's speech and pauses take a hundredth of their time, so that tests
// need not wait through real 30-second holds (README, The kiosk). 1 is real time.
function timescale() {
  const scale = Number(new URLSearchParams(location.search).get("timescale") ?? 1);
  return scale > 0 && scale <= 1 ? scale : 1;
}

export const page = Object.freeze({
  labels: JSON.parse($("#kiosk-labels").textContent),
  voiceInput: data.voiceInput.split(" ").filter(Boolean),
  speechOutput: data.speechOutput === "true",
  idleSeconds: Number(data.idleSeconds),
  timescale: timescale(),
  api: Object.freeze({
    start: data.apiStart,
    intent: data.apiIntent,
    listen: data.apiListen,
    label: data.apiLabel,
    audio: data.apiAudio,  // with CLIP where the clip's key goes
  }),
});
