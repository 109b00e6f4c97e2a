/* The page's one state object: everything about the visit and the page that changes. */

import { page } from "./page.js";

export const state = {
  lang: document.body.dataset.lang,
  session: null,             // the visit's key on the server, null between visits
  turn: 0,                   // the visit's reply the page shows: a press answers that one
  fresh: true,               // the visit is at its start (or none has started): a new one is the same place
  starting: null,            // the reason of a start that has not got through yet, else null
  gone: null,                // when the server no longer has the visit: the label that says so
  offline: false,            // the server is not answering: the page tries again quietly
  view: { screen: "home" },  // what the screen shows; a reply with the "same" screen keeps it
  muted: false,
  volume: 1,
  textSize: 0,
  touched: false,            // input since this visit began: only then can the visit time out
  idleTimer: 0,
  warnTimer: 0,              // the "this visit ends soon" notice, shortly before the idle reset
  warned: false,             // that notice is showing: any input now keeps the visit
  requests: Promise.resolve(),  // the last request asked for; each waits for the one before
  playback: 0,               // raised by every stop; a timeline plays only while it holds its number
  playing: false,
  holding: false,            // a timed hold is still to come or playing: only Pause and Stop are offered
  interrupt: () => {},       // ends the current clip or pause at once
  fetched: new Set(),        // clips already fetched ahead
  kept: new Map(),           // clip key -> blob: URL of the status lines, playable while the server is away
  stopRecording: null,       // ends the recording under way, if there is one
};

export const label = (key) => page.labels[state.lang][key];
