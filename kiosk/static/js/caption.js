/* What the kiosk voice is saying, on screen: the sentence as a caption and, in an article or topic,
   the paragraph being read, marked and brought into view. The caption is not a live region: a
   screen reader user hears the voice already. */

import { $, $$ } from "./page.js";

const MARGIN = 16;  // px kept clear above and below a paragraph brought into view

export function saying(text) {
  $("#caption").textContent = text;
  const paragraphs = $$(".screen:not([hidden]) .text p");
  const read = paragraphs.find((node) => node.textContent === text);
  if (!read) return;
  for (const node of paragraphs) node.classList.toggle("reading", node === read);
  bringIntoView(read);
}

export function clearCaption() {
  $("#caption").textContent = "";
}

// Scrolled into view clear of the navigation row, which sticks to the bottom of the screen at the
// smaller text sizes (scrollIntoView would leave it under the row).
function bringIntoView(node) {
  const box = node.getBoundingClientRect();
  const nav = $("#nav").getBoundingClientRect();
  const bottom = (nav.height > 0 && nav.top < innerHeight ? nav.top : innerHeight) - MARGIN;
  if (box.top < MARGIN || box.height > bottom - MARGIN) scrollBy(0, box.top - MARGIN);
  else if (box.bottom > bottom) scrollBy(0, box.bottom - bottom);
}
