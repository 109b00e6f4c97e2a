/* How the page looks: day or night colours, the text size said back, and a navigation row that
   sticks to the bottom of the screen only where there is room for it.

   The clinic chooses the colours (KIOSK_THEME): day, night (dim greys and amber, for a bedside or a
   dark room) or auto, night in the hours of coach/night.py by this page's clock. The colours button
   changes them for the visit; the next visit has the clinic's colours again. */

import { $ } from "./page.js";
import { label, state } from "./state.js";

const root = document.documentElement;
const { clinicTheme, nightHours } = document.body.dataset;  // "auto", "day" or "night"; "22:00:00 07:00:00"
const TEXT_SIZES = 5;  // data-text-size 0 to 4: kiosk.css has a scale for each, input.js keeps to them
const NAV_SHARE = 0.2;  // the most of the screen's height a stuck row may cover (kiosk.css: 20vh)

/* ---- Day and night colours ---- */

const secondsOfDay = (clock) => clock.split(":").reduce((seconds, part) => seconds * 60 + Number(part), 0);
const [NIGHT_START, NIGHT_END] = nightHours.split(" ").map(secondsOfDay);

// coach/night.py's rule, with its hours as the server gives them.
function isNight(moment) {
  const clock = moment.getHours() * 3600 + moment.getMinutes() * 60 + moment.getSeconds();
  return clock >= NIGHT_START || clock < NIGHT_END;
}

let chosen = null;         // "day" or "night" from the button, for this visit only
let sameVisitor = false;   // a language switch starts a new visit for the same visitor

function showTheme() {
  const clinic = clinicTheme === "auto" ? (isNight(new Date()) ? "night" : "day") : clinicTheme;
  const theme = chosen ?? clinic;
  root.dataset.theme = theme;
  const button = $("#btn-theme");
  button.dataset.label = theme === "night" ? "day_colours" : "night_colours";  // says what it does
  button.textContent = label(button.dataset.label);
}

function toggleTheme() {
  chosen = root.dataset.theme === "night" ? "day" : "night";
  showTheme();
}

// Every reply sets the screen, and "auto" looks at the clock again. A reply that starts a visit
// (after an idle reset, the end of a visit or Start over) brings back the clinic's colours.
function onReply() {
  if (state.fresh) {
    if (!sameVisitor) chosen = null;
    sameVisitor = false;
  }
  showTheme();
}

// Runs before input.js's handler, while state.lang is still the language being left.
function onLanguageButton(event) {
  const button = event.target.closest('[data-action="language"]');
  if (button && button.dataset.lang !== state.lang) sameVisitor = true;
}

/* ---- The text size, shown and said ---- */

function textSizeLine() {
  const n = Number(root.dataset.textSize) + 1;
  const key = n === TEXT_SIZES ? "text_size_largest" : n === 1 ? "text_size_smallest" : "text_size_level";
  return label(key).replace("{n}", n).replace("{total}", TEXT_SIZES);
}

// After each press of Smaller or Larger: the size, and at either end that it is the last one. The
// same line again (a press at the end) is emptied first, so that screen readers say it again.
function showTextSize() {
  const output = $("#text-size-level");
  const line = textSizeLine();
  if (output.textContent !== line) {
    output.textContent = line;
    return;
  }
  output.textContent = "";
  setTimeout(() => { output.textContent = line; }, 100);
}

// Runs after input.js's handler (a window listener comes after the document's), so the size is set.
function onTextSizeButton(event) {
  if (event.target.closest('[data-action="text-size"]')) showTextSize();
}

function relabelTextSize() {
  const output = $("#text-size-level");
  if (output.textContent) output.textContent = textSizeLine();
}

/* ---- The navigation row ---- */

// Under a long text the row sticks to the bottom, Back and Next in reach; zoomed in, on a phone or at
// a large text size it would hide the text it is for, so there it stays below the text.
function fitNav() {
  root.toggleAttribute("data-nav-sticks", $("#nav").offsetHeight <= innerHeight * NAV_SHARE);
}

showTheme();
setInterval(showTheme, 60_000);
new MutationObserver(onReply).observe(document.body, { attributes: true, attributeFilter: ["data-screen"] });
new MutationObserver(relabelTextSize).observe(root, { attributes: true, attributeFilter: ["lang"] });
$("#btn-theme").addEventListener("click", toggleTheme);
window.addEventListener("click", onLanguageButton, true);
window.addEventListener("click", onTextSizeButton);
new ResizeObserver(fitNav).observe($("#nav"));
window.addEventListener("resize", fitNav);
