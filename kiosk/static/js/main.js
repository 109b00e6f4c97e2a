/* Cramp Coach kiosk page: shows the engine's replies and plays their timelines.

   There is no conversation logic here: buttons and keys only send intents, and each reply's
   `view` says what to show. There are no words here either: labels come from the JSON block in
   the page, and everything said or shown about cramps comes from the API. Modules: page (what
   the page gives), state (the one state object), api, render, playback, caption (what is being
   said, on screen), resume (Pause and Resume), visit, input, recorder. */

import { listenForInput } from "./input.js";
import { $ } from "./page.js";
import { stopSpeech } from "./playback.js";
import { relabel } from "./render.js";
import "./theme.js";
import { enqueue, startVisit } from "./visit.js";

relabel();
listenForInput();
// Start over, offered when the server no longer has the visit: a new visit, from the start.
$("#btn-start-over").addEventListener("click", () => {
  stopSpeech();
  enqueue(() => startVisit());
});
enqueue(() => startVisit());
