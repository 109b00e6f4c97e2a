/* Pause and Resume. The server answers Resume with the whole routine part (or article section)
   again; the page plays on from where Pause stopped the speech: what was said before is left out,
   and a hold goes on from the second it was paused at. */

import { stoppedAt } from "./playback.js";

let point = null;  // where Pause stopped the speech: { timeline, index, held }; null when not paused

export const paused = () => point !== null;
export const pausedTimeline = () => point?.timeline ?? [];

// A reply that pauses keeps the place the speech stopped at (a second Pause keeps the first place).
export function pause() {
  point ??= stoppedAt();
}

// A reply that moves on: there is nothing to resume.
export function unpause() {
  point = null;
}

const same = (a, b) => a !== undefined && b !== undefined && JSON.stringify(a) === JSON.stringify(b);

/* The Resume reply's timeline from the paused place on. The old timeline is lined up with the new
   one where most of their items agree (the new one may begin with "let's carry on", the old one
   with "let's try once more"); lines of the new one before that place that the old one did not
   have are said first. A timeline played to its end goes on from its last line (the question).
   When the place is not in the new timeline, all of it is played. */
export function resumed(timeline) {
  const from = point;
  point = null;
  if (!from) return timeline;
  const old = from.timeline;
  const at = from.index < old.length ? from.index : old.findLastIndex((item) => "say" in item);
  if (at < 0) return timeline;
  let shift = null;
  let agreed = 0;
  for (let candidate = -at; at + candidate < timeline.length; candidate++) {
    if (!same(old[at], timeline[at + candidate])) continue;
    const count = old.filter((item, i) => same(item, timeline[i + candidate])).length;
    if (count > agreed) [shift, agreed] = [candidate, count];
  }
  if (shift === null) return timeline;
  const start = at + shift;
  const news = timeline.slice(0, start).filter((item, i) => "say" in item && !same(item, old[i - shift]));
  const rest = timeline.slice(start);
  if ("hold" in rest[0]) rest[0] = { hold: { ...rest[0].hold, from: from.held } };
  return [...news, ...rest];
}
