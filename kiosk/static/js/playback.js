/* Speech: a reply's timeline of clips, pauses and timed holds, played in order at the page's time
   scale. A hold brings its own timing: the countdown shows the seconds left from the same cues
   that are said. */

import { clipUrl } from "./api.js";
import { $, page } from "./page.js";
import { endHold, showCountdown } from "./render.js";
import { state } from "./state.js";

const player = $("#player");
const SPEED = Math.min(16, 1 / page.timescale);  // 16x is the fastest a browser plays
player.defaultPlaybackRate = SPEED;  // each new clip starts at this rate

function setPlaying(playing) {
  state.playing = playing;
  document.body.dataset.playing = String(playing);
}

// Stopping ends a hold too, unless a reply is on its way (keepHold), which sets the buttons anew.
export function stopSpeech(keepHold = false) {
  state.playback += 1;
  state.interrupt();
  showCountdown(null);
  setPlaying(false);
  if (!keepHold) endHold();
}

// Plays a timeline; true when it was played to the end, false when something stopped it.
// The question after a hold waits until the last hold has been played.
export async function play(timeline) {
  stopSpeech(true);
  const mine = state.playback;
  const current = () => mine === state.playback;
  prefetch(timeline, current);
  setPlaying(true);
  const lastHold = timeline.findLastIndex((item) => "hold" in item);
  for (const [index, item] of timeline.entries()) {
    if (!current()) return false;
    if ("hold" in item) await hold(item.hold, current);
    else if ("pause" in item) await quiet(item.pause);
    else if (item.clip) await speak(item.clip);
    if (index === lastHold && current()) endHold();
  }
  if (!current()) return false;
  setPlaying(false);
  return true;
}

// Each cue is said when `at` seconds of the hold have passed; in the quiet after it the countdown
// runs on to the next cue.
async function hold({ seconds, cues }, current) {
  for (const [index, cue] of cues.entries()) {
    if (!current()) return;
    const left = seconds - cue.at;
    showCountdown(left);
    if (cue.clip) await speak(cue.clip);
    if (!current()) return;
    await quiet(cue.pause, left, seconds - (cues[index + 1]?.at ?? seconds));
  }
  if (current()) showCountdown(null);
}

const clipsOf = (timeline) => timeline.flatMap((item) => ("hold" in item ? item.hold.cues : [item]))
  .map((item) => item.clip).filter(Boolean);

// Clips are fetched ahead, one by one, so each is rendered and cached before its turn comes.
async function prefetch(timeline, current) {
  for (const clip of clipsOf(timeline)) {
    if (!current()) return;
    if (state.fetched.has(clip)) continue;
    state.fetched.add(clip);
    await fetch(clipUrl(clip)).then((response) => response.blob()).catch(() => state.fetched.delete(clip));
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
    player.onloadedmetadata = () => {
      clearTimeout(guard);
      guard = setTimeout(done, (player.duration / player.playbackRate + 3) * 1000);
    };
    if (SPEED * page.timescale < 1) {  // faster than a browser plays: the clip ends when its scaled time is up
      player.onplaying = () => setTimeout(done, player.duration * 1000 * page.timescale);
    }
    state.interrupt = done;
    player.src = clipUrl(clip);
    player.play().catch(done);  // e.g. autoplay refused: the text stays on screen
  });
}

// Quiet for `seconds` (at the time scale); with `from` and `to`, the countdown runs between them.
function quiet(seconds, from, to) {
  const ms = seconds * 1000 * page.timescale;
  return new Promise((resolve) => {
    const began = performance.now();
    const tick = from === undefined ? 0 : setInterval(() => {
      showCountdown(from - (from - to) * Math.min(1, (performance.now() - began) / ms));
    }, 100);
    const done = () => { clearTimeout(timer); clearInterval(tick); resolve(); };
    const timer = setTimeout(done, ms);
    state.interrupt = done;
  });
}
