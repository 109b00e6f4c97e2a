/* Speech: a reply's timeline of clips, pauses and timed holds, played in order at the page's time
   scale. A hold runs on the clock: each cue is said when `at` seconds of the hold have passed and
   the countdown shows the seconds left, so a 30-second hold lasts 30 seconds however long its words
   take. Every line said is shown as a caption. The page keeps where the speech stopped, so that
   Resume plays on from there (resume.js). */

import { clipUrl } from "./api.js";
import { saying } from "./caption.js";
import { $, page } from "./page.js";
import { endHold, showCountdown } from "./render.js";
import { state } from "./state.js";

const player = $("#player");
const SPEED = Math.min(16, 1 / page.timescale);  // 16x is the fastest a browser plays
player.defaultPlaybackRate = SPEED;  // each new clip starts at this rate

// Where the last timeline got to: the item playing (timeline.length once played to the end) and,
// in a hold, the seconds held; `clock` tells them while a hold plays.
let place = { timeline: [], index: 0, held: 0, clock: null };
let restart = false;  // the timeline playing is to begin again (replay)

export const stoppedAt = () => ({ timeline: place.timeline, index: place.index, held: place.held });

function setPlaying(playing) {
  state.playing = playing;
  document.body.dataset.playing = String(playing);
}

// Stopping ends a hold too, unless a reply is on its way (keepHold), which sets the buttons anew.
// The countdown stays where it stopped; the next screen (or endHold) puts it away.
export function stopSpeech(keepHold = false) {
  if (place.clock) place.held = place.clock();
  place.clock = null;
  state.playback += 1;
  state.interrupt();
  setPlaying(false);
  if (!keepHold) endHold();
}

// The timeline playing, again from its start, for Repeat where the visit has ended (the server no
// longer has it to ask). False when nothing is playing.
export function replay() {
  if (!state.playing) return false;
  restart = true;
  state.interrupt();
  return true;
}

// Plays a timeline; true when it was played to the end, false when something stopped it.
// The question after a hold waits until the last hold has been played.
export async function play(timeline) {
  stopSpeech(true);
  const mine = state.playback;
  const current = () => mine === state.playback && !restart;
  restart = false;
  place = { timeline, index: 0, held: 0, clock: null };
  prefetch(timeline, () => mine === state.playback);
  setPlaying(true);
  const lastHold = timeline.findLastIndex((item) => "hold" in item);
  while (place.index < timeline.length) {
    const item = timeline[place.index];
    if ("hold" in item) await hold(item.hold, current);
    else if ("pause" in item) await quiet(item.pause);
    else await say(item);
    if (restart && mine === state.playback) {
      restart = false;
      place = { timeline, index: 0, held: 0, clock: null };
      continue;
    }
    if (!current()) return false;
    if (place.index === lastHold) endHold();
    place.index += 1;
  }
  setPlaying(false);
  return true;
}

function say(item) {
  saying(item.say);
  return item.clip ? speak(item.clip) : Promise.resolve();
}

// The hold on the clock, from `from` seconds on when it is resumed: each cue at its second (a cue
// whose second has passed is left out), then quiet until the hold's time is up.
async function hold({ seconds, cues, from = 0 }, current) {
  const msPerSecond = 1000 * page.timescale;
  const began = performance.now() - from * msPerSecond;
  const held = () => Math.min(seconds, (performance.now() - began) / msPerSecond);
  place.held = from;
  place.clock = held;
  const count = () => { if (current()) showCountdown(seconds - held()); };
  count();
  const ticker = setInterval(count, 100);
  for (const cue of cues.filter((cue) => cue.at >= from)) {
    await quiet(cue.at - held());
    if (!current()) break;
    count();  // the number said and the number shown change together
    await say(cue);
    if (!current()) break;
  }
  if (current()) await quiet(seconds - held());
  clearInterval(ticker);
  if (!current()) return;
  place.clock = null;
  showCountdown(null);
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

// Quiet for `seconds` of the timeline (at the time scale); none when the time has passed already.
function quiet(seconds) {
  const ms = Math.max(0, seconds) * 1000 * page.timescale;
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      resolve();
    }
    state.interrupt = done;
  });
}
