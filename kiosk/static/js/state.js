/* The page's one state object: everything about the visit and the page that changes. */

import { page } from "./page.js";

export const state = {
  lang: document.body.dataset.lang,
  session: null,             // the visit's key on the server, null between visits
  view: { screen: "home" },  // what the screen shows; a reply with the "same" screen keeps it
  muted: false,
  volume: 1,
  textSize: 0,
  touched: false,            // input since this visit began: only then can the visit time out
  idleTimer: 0,
  requests: Promise.resolve(),  // the last request asked for; each waits for the one before
  playback: 0,               // raised by every stop; a timeline plays only while it holds its number
  playing: false,
  holding: false,            // a timed hold is still to come or playing: only Pause and Stop are offered
  interrupt: () => {},       // ends the current clip or pause at once
  fetched: new Set(),        // clips already fetched ahead
  stopRecording: null,       // ends the recording under way, if there is one
};

export const label = (key) => page.labels[state.lang][key];
